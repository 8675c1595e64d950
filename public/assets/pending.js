/**
 * The pending registration: the phone as the API normalised it, its
 * registrationId, the email it may fall back to, and the channel of its
 * latest code. Kept in sessionStorage (this tab only), so a reload keeps the
 * registration yours.
 */

const STORED = "edge-verify.registration";

/** A registration this tab started and has not finished, if any. */
export function restore() {
	const stored = remembered();
	return stored?.phone && stored.registrationId ? { channel: "sms", ...stored } : null;
}

export function remembered() {
	try {
		return JSON.parse(sessionStorage.getItem(STORED) ?? "null");
	} catch {
		return null;
	}
}

export function keep(pending) {
	sessionStorage.setItem(STORED, JSON.stringify(pending));
}

export function forget() {
	sessionStorage.removeItem(STORED);
}
