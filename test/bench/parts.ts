/**
 * The names of the bench Worker's component routes, shared by the Worker
 * (bench-ladder.ts, bench-loops.ts) and the Node side that measures them
 * (profile.ts). Plain data: Node imports it without the Worker's modules.
 */

/** `POST /bench/ladder/<rung>` with a wrong guess's body: each rung adds one ingredient of the path. */
export const LADDER = [
	{ rung: "post", adds: "a POST route answering JSON: runtime, dev wrapper, Hono routing (body unread)" },
	{ rung: "log", adds: "requestLog middleware: request id, X-Request-Id, routePath, JSON log line" },
	{ rung: "headers", adds: "securityHeaders + the config/clock middleware" },
	{ rung: "body", adds: "jsonGate: content type, read the body, JSON.parse" },
	{ rung: "validate", adds: "zod validation of VerifyOtpBody + the phone rule (createRouter defaultHook)" },
	{ rung: "error", adds: "the handler's logPhone/callerOf, and OTP_INVALID rendered by renderError" },
	{ rung: "guess-limit", adds: "takeGuess: RollingCounter round trip, storage.put + setAlarm" },
] as const;
export type Rung = (typeof LADDER)[number]["rung"];

/**
 * `GET /bench/loop/<loop>?k=<n>`: one ingredient `k` times in one request.
 * `k` is what the profile uses: enough calls to stand out of a request's
 * cost, and few console lines, as each also costs wrangler's dev proxy.
 */
export const LOOPS = {
	"zod-verify": { label: "zod: verify-otp body (phone parse cached)", k: 200 },
	"zod-send": { label: "zod: send-otp body (name, email, phone, password)", k: 200 },
	phone: { label: "libphonenumber: a number not in the parse cache", k: 200 },
	stringify: { label: "log line: JSON.stringify only", k: 200 },
	log: { label: "log line: log() = JSON.stringify + console.log", k: 5 },
	hmac: { label: "code HMAC-SHA256 (node:crypto createHmac)", k: 200 },
	"api-error": { label: "new ApiError (an Error: captures a stack trace)", k: 200 },
	"api-error-no-stack": { label: "new ApiError with Error.stackTraceLimit = 0", k: 200 },
	uuid: { label: "crypto.randomUUID (the request id)", k: 200 },
} as const;
export type Loop = keyof typeof LOOPS;
