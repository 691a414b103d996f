// QEMU feature releases from 4.1 to 10.2, each with the upstream commit that set its version number
// ("Update version for vX.Y.0 release"). A change is "since X.Y" when X.Y's release commit is the
// first to contain it. Stable point releases (7.2.22, 10.0.2) are named by their series.

export const RELEASES = [
  ['4.1', '9e06029aea3b2eca1d5261352e695edc1e7d7b8b'],
  ['4.2', 'b0ca999a43a22b38158a222233d3f5881648bb4f'],
  ['5.0', 'fdd76fecdde1ad444ff4deb7f1c4f7e4a1ef97d6'],
  ['5.1', 'd0ed6a69d399ae193959225cdeaa9382746c91cc'],
  ['5.2', '553032db17440f8de011390e5a1cfddd13751b0b'],
  ['6.0', '609d7596524ab204ccd71ef42c9eee4c7c338ea4'],
  ['6.1', 'f9baca549e44791be0dd98de15add3d8452a8af0'],
  ['6.2', '44f28df24767cf9dca1ddc9b23157737c4cbb645'],
  ['7.0', '823a3f11fb8f04c3c3cc0f95f968fef1bfc6534f'],
  ['7.1', '621da7789083b80d6f1ff1c0fb499334007b4f51'],
  ['7.2', 'b67b00e6b4c7831a3f5bc684bc0df7a9bfd1bd56'],
  ['8.0', 'c1eb2ddf0f8075faddc5f7c3d39feae3e8e9d6b4'],
  ['8.1', '7e5a8bb22368b3555644cb2debd3df24592f3a21'],
  ['8.2', '1600b9f46b1bd08b00fe86c46ef6dbb48cbe10d6'],
  ['9.0', 'c25df57ae8f9fe1c72eee2dab37d76d904ac382e'],
  ['9.1', 'fd1952d814da738ed107e05583b3e02ac11e88ff'],
  ['9.2', 'ae35f033b874c627d81d51070187fbf55f0bf1a7'],
  ['10.0', '7c949c53e936aa3a658d84ab53bae5cadaa5d59c'],
  ['10.1', 'f8b2f64e2336a28bf0d50b6ef8a7d8c013e9bcf3'],
  ['10.2', '698104725efad4b29079d857dfdebbd804e34c99'],
] as const;

export type Release = (typeof RELEASES)[number][0];

export const RELEASE_NAMES: readonly Release[] = RELEASES.map(([r]) => r);

/** Position of a release in RELEASES (0 for 4.1), or -1 when it is not one of them. */
export function releaseIndex(release: string): number {
  return RELEASE_NAMES.indexOf(release as Release);
}

/** The feature release a catalog version or a point release belongs to: '4.1.0' → '4.1', '10.0.2' → '10.0'. */
export function releaseOf(version: string): Release | undefined {
  const m = /^(\d+)\.(\d+)(?:\.\d+)?$/.exec(version.trim());
  if (!m) return undefined;
  const r = `${Number(m[1])}.${Number(m[2])}`;
  return releaseIndex(r) >= 0 ? (r as Release) : undefined;
}

export function releaseCommit(release: Release): string {
  return RELEASES[releaseIndex(release)][1];
}
