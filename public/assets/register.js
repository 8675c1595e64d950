import {
	api,
	clearErrors,
	describeError,
	fieldOf,
	keepSession,
	me,
	renderAccount,
	say,
	show,
	showError,
	signOut,
	wirePasswordToggle,
} from "./api.js";
import { asksForCheck, checkMessage, configured, humanCheck, mode } from "./human-check.js";
import { labelNextChannel, pageLanguage } from "./language.js";
import { forget, keep, remembered, restore } from "./pending.js";
import { phoneField } from "./phone-field.js";
import { listenForCode } from "./web-otp.js";

/** The registration page: details, then the code, then the new account. */

const $ = (id) => document.getElementById(id);
const details = $("details");
const detailsStatus = $("details-status");
const codeForm = $("code-form");
const codeStatus = $("code-status");
const codeInput = $("code");
const resendButton = $("resend");
const nextButton = $("next-channel");
const language = pageLanguage();
const phone = phoneField($("country"), $("phone"), language);
/** Turnstile's widget (when configured): before sending the details, and before another code. */
const detailsCheck = humanCheck($("details-check"));
const codeCheck = humanCheck($("code-check"));
const upFront = configured && mode === "always";

/** The pending registration of this tab (./pending.js), or null. */
let pending = restore();
let countdown = null;
let poll = null;
let busy = false;
/** Stops waiting for a texted code (WebOTP): when the code is submitted or the step is left. */
let stopListening = () => {};
/** After this long without `delivered`, the page offers the next channel. */
const SLOW_MS = 30_000;

wirePasswordToggle($("toggle-password"), $("password"));

const DELIVERY_TEXT = {
	queued: "Sending your code…",
	sent: "Your code is on its way.",
	delivered: "Your code was delivered.",
	failed: "The text message could not be delivered.",
};
const FAILED_TEXT = {
	whatsapp: "The WhatsApp message could not be delivered.",
	call: "The call did not reach you.",
};
const deliveryText = (channel, delivery) =>
	(delivery === "failed" ? FAILED_TEXT[channel] : undefined) ?? DELIVERY_TEXT[delivery] ?? "";

details.addEventListener("submit", async (event) => {
	event.preventDefault();
	if (busy) return;
	clearErrors(detailsStatus, details);
	const body = Object.fromEntries(new FormData(details));
	const missing = ["name", "email", "phone", "password"].find((f) => !String(body[f] ?? "").trim());
	if (missing) return showError(detailsStatus, details, missing, "This field is required.");
	if ([...body.password].length < 8) return showError(detailsStatus, details, "password", "Use at least 8 characters.");
	body.phone = phone.e164();
	if (body.phone === null) return showError(detailsStatus, details, "phone", CHOOSE_COUNTRY);
	body.locale = language.tag;
	// Our own registration's id, if one is pending: new details replace its details, never someone else's.
	const registrationId = pending?.registrationId ?? remembered()?.registrationId;
	if (registrationId) body.registrationId = registrationId;
	if (detailsCheck.shown && !detailsCheck.token()) return say(detailsStatus, WAIT_FOR_CHECK);
	const res = await submitting($("send"), "Sending…", () =>
		api("/api/customers/send-otp", { body: detailsCheck.attach(body) }),
	);
	detailsCheck.spent();
	if (asksForCheck(res)) {
		say(detailsStatus, checkMessage(res));
		return detailsCheck.show({ focus: true });
	}
	if (!res.ok) return showError(detailsStatus, details, fieldOf(res.data), errorText(res));
	pending = {
		phone: res.data.phone,
		registrationId: res.data.registrationId,
		email: body.email.trim(),
		channel: "sms",
	};
	keep(pending);
	$("password").value = "";
	enterCodeStep(`${pending.phone}`);
});

function enterCodeStep(destination) {
	$("code-destination").textContent = destination;
	clearErrors(codeStatus, codeForm);
	codeInput.value = "";
	offer(null);
	$("delivery").textContent = DELIVERY_TEXT.queued;
	show($("step-code"), codeInput);
	if (upFront) codeCheck.show();
	startCountdown(null);
	watchDelivery();
	if (pending.channel === "sms") listen();
}

/** Fills in and submits the code when the browser reads it from the SMS (WebOTP). */
function listen() {
	stopListening();
	stopListening = listenForCode((code) => {
		codeInput.value = code;
		codeForm.requestSubmit();
	});
}

codeInput.addEventListener("input", () => {
	// A pasted "123 456" or "Code: 123456" becomes the six digits, and a complete code goes at once.
	const digits = codeInput.value.replace(/\D/g, "").slice(0, 6);
	if (digits !== codeInput.value) codeInput.value = digits;
	if (digits.length === 6) codeForm.requestSubmit();
});

codeForm.addEventListener("submit", async (event) => {
	event.preventDefault();
	if (busy || !pending) return;
	stopListening();
	clearErrors(codeStatus, codeForm);
	const otp = codeInput.value;
	if (!/^\d{6}$/.test(otp)) return showError(codeStatus, codeForm, "otp", "Enter the 6 digits of your code.");
	const res = await submitting($("verify"), "Checking…", () =>
		api("/api/customers/verify-otp", { body: { phone: pending.phone, registrationId: pending.registrationId, otp } }),
	);
	if (res.ok) return finish(res.data);
	codeInput.value = "";
	if (res.data.code === "OTP_INVALID" || res.data.code === "OTP_TOO_MANY_ATTEMPTS")
		return showError(codeStatus, codeForm, "otp", errorText(res));
	say(codeStatus, errorText(res));
	if (res.data.code === "RATE_LIMITED") startCountdown(res.retryAfter);
});

resendButton.addEventListener("click", () =>
	resend(pending?.channel === "email" ? "sms" : (pending?.channel ?? "sms")),
);
nextButton.addEventListener("click", () => resend(nextButton.dataset.channel));

/** Offers the code by `channel` (one button, in the page's language), or nothing. */
function offer(channel) {
	nextButton.hidden = !channel;
	if (!channel || nextButton.dataset.channel === channel) return;
	nextButton.dataset.channel = channel;
	labelNextChannel(nextButton, channel, language);
}

async function resend(channel) {
	if (busy || !pending) return;
	clearErrors(codeStatus, codeForm);
	if (codeCheck.shown && !codeCheck.token()) return say(codeStatus, WAIT_FOR_CHECK);
	const button = channel === nextButton.dataset.channel && !nextButton.hidden ? nextButton : resendButton;
	const res = await submitting(button, "Sending…", () =>
		api("/api/customers/resend-otp", {
			body: codeCheck.attach({ phone: pending.phone, registrationId: pending.registrationId, channel }),
		}),
	);
	codeCheck.spent();
	if (asksForCheck(res)) {
		say(codeStatus, checkMessage(res));
		return codeCheck.show({ focus: true });
	}
	if (!res.ok) {
		say(codeStatus, errorText(res));
		if (res.retryAfter) startCountdown(res.retryAfter);
		return;
	}
	pending.channel = res.data.channel;
	keep(pending);
	codeInput.value = "";
	offer(null);
	if (channel === "email") {
		$("code-destination").textContent = pending.email;
		$("delivery").textContent = "Your code is on its way by email.";
	} else {
		$("code-destination").textContent = pending.phone;
		$("delivery").textContent = deliveryText(channel, res.data.delivery);
	}
	say(codeStatus, `We sent a new code to ${channel === "email" ? pending.email : pending.phone}.`, "info");
	codeInput.focus();
	startCountdown(null);
	if (channel !== "email") watchDelivery();
	if (channel === "sms") listen();
}

/** Disables the resend button until the API will take a resend: `seconds`, or what otp-status says. */
async function startCountdown(seconds) {
	clearInterval(countdown);
	let left = seconds ?? (await status())?.resendIn ?? 30;
	const tick = () => {
		resendButton.disabled = left > 0;
		resendButton.textContent = left > 0 ? `Send a new code (${left} s)` : "Send a new code";
		if (left <= 0) clearInterval(countdown);
		left -= 1;
	};
	tick();
	countdown = setInterval(tick, 1000);
}

/**
 * Follows the delivery of the latest code until it is settled: delivered,
 * failed, sent by email, or the registration gone. Never longer than the
 * code lives. A failed or slow delivery offers the next channel otp-status
 * names (`nextChannel`); from a server without it, the email once an SMS failed.
 */
function watchDelivery() {
	clearInterval(poll);
	const started = Date.now();
	poll = setInterval(async () => {
		const s = await status();
		// The registration may have finished (or been left for new details) while this poll was answered.
		if (!s || !pending || Date.now() > started + 5 * 60_000) return clearInterval(poll);
		const delivery = s.deliveries?.[s.channel] ?? s.delivery;
		if (pending.channel !== "email") $("delivery").textContent = deliveryText(s.channel, delivery);
		const failed = delivery === "failed";
		// "We sent a new code" stops being true once that code failed; an error stays.
		if (failed && codeStatus.classList.contains("info")) say(codeStatus, "");
		const slow = !failed && delivery !== "delivered" && Date.now() - started > SLOW_MS;
		if ("nextChannel" in s) offer(failed || slow ? s.nextChannel : null);
		else offer(s.channel === "sms" && failed && s.emailFallback ? "email" : null);
		if (s.channel === "email" || delivery === "delivered" || failed) clearInterval(poll);
	}, 3000);
}

async function status() {
	if (!pending) return null;
	// A POST keeps the phone and the id out of the URL, and so out of access logs.
	const body = { phone: pending.phone, registrationId: pending.registrationId };
	const res = await api("/api/customers/otp-status", { body });
	return res.ok ? res.data : null;
}

async function finish(registered) {
	stopListening();
	clearInterval(poll);
	clearInterval(countdown);
	pending = null;
	forget();
	if (registered.accessToken) keepSession(registered);
	const customer = await me();
	if (!customer) {
		// The account exists even if its first session could not be stored: sign in then.
		window.location.assign("/login");
		return;
	}
	renderAccount($("account"), customer);
	show($("step-done"));
}

// Changing the details keeps the registration's id: the next send edits this registration.
$("start-over").addEventListener("click", () => {
	stopListening();
	clearInterval(poll);
	clearInterval(countdown);
	pending = null;
	show($("step-details"), $("name"));
});

// After a reload with a registration pending, go straight back to its code.
if (pending) enterCodeStep(pending.channel === "email" ? pending.email : pending.phone);
else if (upFront) detailsCheck.show();

$("logout").addEventListener("click", async () => {
	await signOut();
	window.location.assign("/login");
});

window.addEventListener("pagehide", () => stopListening());

const CHOOSE_COUNTRY = "Choose your country, or start the number with + and its country code.";
const WAIT_FOR_CHECK = "Complete the security check first; it usually takes a moment.";

function errorText(res) {
	return describeError({ ...res.data, retryAfter: res.retryAfter });
}

/** Runs `call` with `button` busy (disabled, relabelled), so a double click sends once. */
async function submitting(button, label, call) {
	busy = true;
	const text = button.textContent;
	button.disabled = true;
	button.textContent = label;
	try {
		return await call();
	} finally {
		busy = false;
		button.disabled = false;
		button.textContent = text;
	}
}
