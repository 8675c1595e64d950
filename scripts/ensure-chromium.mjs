// `npm test` runs the browser tests in Debian's Chromium (playwright-core downloads
// no browser). This installs it where it can (root on Debian, apt-get), and
// otherwise stops with the one command to run.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const CHROMIUM = "/usr/bin/chromium";
const INSTALL = "apt-get install -y chromium";

if (!existsSync(CHROMIUM)) {
	const root = process.getuid?.() === 0;
	const apt = existsSync("/usr/bin/apt-get");
	if (!root || !apt) {
		console.error(`The browser tests need ${CHROMIUM}: run \`sudo ${INSTALL}\` (Debian/Ubuntu), then npm test again.`);
		process.exit(1);
	}
	console.log(`Installing Chromium for the browser tests (${INSTALL})…`);
	const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
	execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
	execFileSync("apt-get", ["install", "-y", "-qq", "chromium"], { stdio: "inherit", env });
}
