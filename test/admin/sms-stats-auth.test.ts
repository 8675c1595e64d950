import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Answer } from "../support/answer";
import { bearerAuth, stats, TOKEN } from "../support/sms-stats";

async function expectRefused(answer: Answer) {
	expect(answer.status).toBe(401);
	expect(answer.body).toMatchObject({ success: false, code: "UNAUTHORIZED" });
	expect(answer.body).not.toHaveProperty("hour");
	expect(answer.headers.get("www-authenticate")).toBe('Bearer realm="admin"');
}

describe("GET /api/admin/sms-stats: who gets in", () => {
	it("refuses a request without an Authorization header", async () => {
		await expectRefused(await stats());
	});

	it("refuses a wrong token of the same length", async () => {
		const wrong = `${TOKEN.slice(0, -1)}8`;
		expect(wrong).toHaveLength(TOKEN.length);
		await expectRefused(await stats({ authorization: bearerAuth(wrong) }));
	});

	it("refuses tokens of another length: a prefix of the right one, the right one extended", async () => {
		await expectRefused(await stats({ authorization: bearerAuth(TOKEN.slice(0, -1)) }));
		await expectRefused(await stats({ authorization: bearerAuth(`${TOKEN}0`) }));
		await expectRefused(await stats({ authorization: bearerAuth("x") }));
	});

	it("refuses the right token under another scheme or with nothing after Bearer", async () => {
		await expectRefused(await stats({ authorization: `Basic ${TOKEN}` }));
		await expectRefused(await stats({ authorization: TOKEN }));
		await expectRefused(await stats({ authorization: "Bearer " }));
		await expectRefused(await stats({ authorization: "Bearer" }));
	});

	it("lets the right token in, without a WWW-Authenticate challenge", async () => {
		const answer = await stats({ authorization: bearerAuth(TOKEN) });
		expect(answer.status).toBe(200);
		expect(answer.body.success).toBe(true);
		expect(answer.headers.get("www-authenticate")).toBeNull();
	});

	it("takes the scheme name in any case (RFC 9110: `bearer` is Bearer)", async () => {
		expect((await stats({ authorization: `bearer ${TOKEN}` })).status).toBe(200);
		expect((await stats({ authorization: `BEARER ${TOKEN}` })).status).toBe(200);
	});

	it("refuses everyone when no token is configured, the empty bearer included", async () => {
		const unset = { ...env, ADMIN_API_TOKEN: "" };
		await expectRefused(await stats({ env: unset }));
		await expectRefused(await stats({ env: unset, authorization: "Bearer " }));
		await expectRefused(await stats({ env: unset, authorization: "Bearer" }));
		await expectRefused(await stats({ env: unset, authorization: bearerAuth(TOKEN) }));
		await expectRefused(await stats({ env: unset, authorization: bearerAuth("undefined") }));

		const blank = { ...env, ADMIN_API_TOKEN: "   " };
		await expectRefused(await stats({ env: blank, authorization: bearerAuth(TOKEN) }));

		const { ADMIN_API_TOKEN: _, ...absent } = env as unknown as Record<string, unknown>;
		await expectRefused(await stats({ env: absent, authorization: bearerAuth(TOKEN) }));
		await expectRefused(await stats({ env: absent, authorization: bearerAuth("undefined") }));
	});
});
