// Types of scripts/vsix.mjs, for the TypeScript tests that import it.
export declare function vsixPath(root: string, dir?: string): string;
export declare function packageVsix(root: string, out?: string): string;
export declare function readZip(buf: Buffer): Map<string, Buffer>;
export declare function extractZip(buf: Buffer, dir: string): void;
