import { describe, expect, it } from "vitest";
import { hashPassword, needsRehash, verifyPassword } from "../../src/auth/passwords";
import type { ScryptParams } from "../../src/config/config";
import { post, registration, uniquePhone } from "../support/api";
import { storedChallenge } from "../support/objects";

const AREA = "512";
/** Cheap enough for a unit test; the production cost has its own test below. */
const CHEAP: ScryptParams = { N: 1024, r: 8, p: 1 };
const PRODUCTION: ScryptParams = { N: 32_768, r: 8, p: 3 };
const PASSWORD = "correct horse battery staple";

describe("hashPassword", () => {
	it("writes a self-describing $scrypt$ string: log2(N), r, p, 16-byte salt, 32-byte hash", async () => {
		const stored = await hashPassword(PASSWORD, CHEAP);
		// Unpadded base64: 16 bytes → 22 characters, 32 bytes → 43.
		expect(stored).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
		expect(stored).not.toContain(PASSWORD);
	});

	it("salts every hash: one password twice gives two different strings, with different salts", async () => {
		const [a, b] = await Promise.all([hashPassword(PASSWORD, CHEAP), hashPassword(PASSWORD, CHEAP)]);
		expect(a).not.toBe(b);
		expect(a.split("$")[3]).not.toBe(b.split("$")[3]);
		expect(await verifyPassword(PASSWORD, a)).toBe(true);
		expect(await verifyPassword(PASSWORD, b)).toBe(true);
	});
});

describe("verifyPassword", () => {
	it("accepts the right password and refuses others", async () => {
		const stored = await hashPassword(PASSWORD, CHEAP);
		expect(await verifyPassword(PASSWORD, stored)).toBe(true);
		expect(await verifyPassword(`${PASSWORD} `, stored)).toBe(false);
		expect(await verifyPassword("Correct horse battery staple", stored)).toBe(false);
		expect(await verifyPassword("", stored)).toBe(false);
	});

	it("reads the parameters from the stored string, not from the current config", async () => {
		const stored = await hashPassword(PASSWORD, { N: 2048, r: 4, p: 2 });
		expect(stored).toContain("$ln=11,r=4,p=2$");
		expect(await verifyPassword(PASSWORD, stored)).toBe(true);
	});

	it("normalises to NFC, so composed and decomposed accents are one password", async () => {
		const stored = await hashPassword("caf\u00e9 au lait", CHEAP);
		expect(await verifyPassword("cafe\u0301 au lait", stored)).toBe(true);
	});

	it("refuses a tampered hash or salt", async () => {
		const stored = await hashPassword(PASSWORD, CHEAP);
		const parts = stored.split("$");
		const flip = (s: string) => (s[0] === "A" ? "B" : "A") + s.slice(1);
		const badHash = [...parts.slice(0, 4), flip(parts[4] as string)].join("$");
		const badSalt = [...parts.slice(0, 3), flip(parts[3] as string), parts[4]].join("$");
		expect(await verifyPassword(PASSWORD, badHash)).toBe(false);
		expect(await verifyPassword(PASSWORD, badSalt)).toBe(false);
	});

	it.each([
		["empty", ""],
		["the password itself", PASSWORD],
		["another algorithm", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"],
		["no salt or hash", "$scrypt$ln=10,r=8,p=1$$"],
		["missing the hash", "$scrypt$ln=10,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA"],
		["non-base64 salt", "$scrypt$ln=10,r=8,p=1$!!!!$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
		[
			"parameters out of order",
			"$scrypt$r=8,ln=10,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		],
		["a short hash", "$scrypt$ln=10,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA"],
		["trailing garbage", "$scrypt$ln=10,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA$x"],
		// Well-formed but impossible or hostile parameters: refused before scrypt runs.
		["N out of range", "$scrypt$ln=99,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
		["ln of zero", "$scrypt$ln=0,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
		[
			"N beyond scrypt's limit for r",
			"$scrypt$ln=17,r=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		],
		["r of zero", "$scrypt$ln=10,r=0,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
		[
			"a cost over workerd's limit",
			"$scrypt$ln=20,r=99,p=99$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		],
	])("returns false for a malformed stored string: %s", async (_, stored) => {
		expect(await verifyPassword(PASSWORD, stored)).toBe(false);
	});
});

describe("needsRehash", () => {
	it("asks for a rehash whenever the stored parameters are not the current ones", async () => {
		const stored = await hashPassword(PASSWORD, CHEAP);
		expect(needsRehash(stored, PRODUCTION)).toBe(true);
		expect(needsRehash(stored, CHEAP)).toBe(false);
		// Lowered on purpose (say, to fit the CPU budget): the operator's choice applies too.
		expect(needsRehash(stored, { N: 512, r: 8, p: 1 })).toBe(true);
		expect(needsRehash(stored, { N: 1024, r: 8, p: 2 })).toBe(true);
		expect(needsRehash(stored, { N: 512, r: 16, p: 1 })).toBe(true);
	});

	it("asks for a rehash of a malformed stored string", () => {
		expect(needsRehash("not a hash", CHEAP)).toBe(true);
	});
});

describe("inside workerd", () => {
	it("hashes and verifies at the production cost N=32768, r=8, p=3", async () => {
		const stored = await hashPassword(PASSWORD, PRODUCTION);
		expect(stored).toMatch(/^\$scrypt\$ln=15,r=8,p=3\$/);
		expect(await verifyPassword(PASSWORD, stored)).toBe(true);
		expect(await verifyPassword("wrong password", stored)).toBe(false);
		expect(needsRehash(stored, PRODUCTION)).toBe(false);
	}, 60_000);
});

describe("the pending registration", () => {
	it("holds a $scrypt$ hash of the password, never the password itself", async () => {
		const phone = uniquePhone(AREA);
		const res = await post("/api/customers/send-otp", registration(phone, { password: PASSWORD }));
		expect(res.status).toBe(200);

		const row = await storedChallenge(phone);
		expect(row).toMatchObject({ status: "pending" });
		const stored = JSON.parse(String(row?.subject)) as Record<string, unknown>;
		expect(Object.keys(stored).sort()).toEqual(["email", "name", "passwordHash", "phone"]);
		expect(stored.passwordHash).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
		expect(await verifyPassword(PASSWORD, String(stored.passwordHash))).toBe(true);

		for (const value of Object.values(row ?? {})) {
			if (typeof value === "string") expect(value).not.toContain(PASSWORD);
			if (value instanceof ArrayBuffer) {
				expect(new TextDecoder().decode(value)).not.toContain(PASSWORD);
			}
		}
	});
});
