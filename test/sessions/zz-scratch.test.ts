import { it } from "vitest";
import { registeredCustomer } from "../helpers";
import { refresh, signIn } from "./session-helpers";
it("scratch", async () => {
	const c = await registeredCustomer("610");
	const counts: number[] = [];
	for (let i = 0; i < 30; i++) {
		const s = await signIn({ email: c.email, password: c.password });
		const results = await Promise.all(Array.from({ length: 10 }, () => refresh(s.refreshToken)));
		counts.push(results.filter((r) => r.body.code === "TOKEN_REUSED").length);
	}
	console.log("REUSED COUNTS", counts.join(","));
}, 60_000);
