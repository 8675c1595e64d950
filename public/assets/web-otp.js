/**
 * WebOTP: where the browser has it (`OTPCredential`), it reads the code from
 * an SMS that ends with `@<our host> #<code>` and hands it to this page only.
 * Without it nothing happens, and `autocomplete="one-time-code"` still lets
 * the keyboard offer the code.
 */

/**
 * Waits for a texted code and calls `onCode` with it; the returned function
 * stops waiting (call it when the form is submitted or left).
 */
export function listenForCode(onCode) {
	if (!("OTPCredential" in window) || !navigator.credentials?.get) return () => {};
	const waiting = new AbortController();
	navigator.credentials
		.get({ otp: { transport: ["sms"] }, signal: waiting.signal })
		.then((credential) => {
			if (!waiting.signal.aborted && credential?.code) onCode(credential.code);
		})
		// Aborted, refused by the person, or not available here: they type the code.
		.catch(() => {});
	return () => waiting.abort();
}
