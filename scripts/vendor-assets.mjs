// Copies the browser build of the API reference (@scalar/api-reference) into
// public/vendor/, where the Worker serves it to /docs: no CDN at run time.
// Runs on `npm install` (postinstall); public/vendor/ is not committed.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const from = join(root, "node_modules/@scalar/api-reference/dist/browser");
const to = join(root, "public/vendor/scalar");

if (!existsSync(from)) {
	console.error(`vendor-assets: ${from} is missing; run npm install`);
	process.exit(1);
}
rmSync(to, { recursive: true, force: true });
mkdirSync(join(to, "chunks"), { recursive: true });
cpSync(join(from, "standalone.esm.js"), join(to, "standalone.esm.js"));
let count = 1;
for (const file of readdirSync(join(from, "chunks"))) {
	if (!file.endsWith(".js")) continue;
	cpSync(join(from, "chunks", file), join(to, "chunks", file));
	count++;
}
console.log(`vendor-assets: ${count} files of @scalar/api-reference in public/vendor/scalar`);
