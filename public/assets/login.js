import {
	api,
	clearErrors,
	describeError,
	keepSession,
	me,
	renderAccount,
	say,
	show,
	showError,
	signOut,
	wirePasswordToggle,
} from "./api.js";
import { asksForCheck, checkMessage, humanCheck } from "./human-check.js";

/** The sign-in page: email or phone and password, then the account from GET /me. */

const $ = (id) => document.getElementById(id);
const form = $("login");
const status = $("login-status");
/** Turnstile's widget (when configured): shown once sign-in asks for it, past the account's daily ceiling of failures. */
const check = humanCheck($("login-check"));

wirePasswordToggle($("toggle-password"), $("password"));

form.addEventListener("submit", async (event) => {
	event.preventDefault();
	clearErrors(status, form);
	const identifier = $("identifier").value.trim();
	const password = $("password").value;
	if (!identifier) return showError(status, form, "identifier", "Enter your email or phone number.");
	if (!password) return showError(status, form, "password", "Enter your password.");
	const body = identifier.includes("@") ? { email: identifier, password } : { phone: identifier, password };
	if (check.shown && !check.token())
		return say(status, "Complete the security check first; it usually takes a moment.");
	const button = $("sign-in");
	button.disabled = true;
	const res = await api("/api/customers/login", { body: check.attach(body) });
	button.disabled = false;
	check.spent();
	if (asksForCheck(res)) {
		say(status, checkMessage(res));
		return check.show({ focus: true });
	}
	if (!res.ok) {
		// The API names `email` or `phone`; on this page both are the one identifier field.
		const field = res.data.field === "email" || res.data.field === "phone" ? "identifier" : res.data.field;
		return showError(status, form, field ?? null, describeError({ ...res.data, retryAfter: res.retryAfter }));
	}
	keepSession(res.data);
	$("password").value = "";
	await showAccount();
});

$("logout").addEventListener("click", async () => {
	await signOut();
	show($("step-login"), $("identifier"));
});

async function showAccount() {
	const customer = await me();
	if (!customer) return false;
	renderAccount($("account"), customer);
	show($("step-account"));
	return true;
}

// Still signed in within this tab (a reload): straight to the account.
void showAccount();
