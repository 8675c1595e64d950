import { describe, expect, it } from "vitest";
import { generateCode, macCode, macsEqual, newRegistrationId } from "../../src/otp/code";

/** The largest multiple of 10^6 below 2^32; draws at or above it must be rejected. */
const UNBIASED_LIMIT = 4_294_000_000;
const SECRET = "code-test-secret-code-test-secret-0123";

/** A random source that answers `values` in order and counts how often it was asked. */
function scripted(...values: number[]) {
	let calls = 0;
	const random = (buf: Uint32Array) => {
		const value = values[calls++];
		if (value === undefined) throw new Error("random source exhausted");
		buf[0] = value;
		return buf;
	};
	return { random, calls: () => calls };
}

describe("generateCode", () => {
	it("always answers exactly six ASCII digits", () => {
		for (let i = 0; i < 5000; i++) expect(generateCode()).toMatch(/^[0-9]{6}$/);
	});

	it("rejects a draw at the unbiased limit and takes the next one", () => {
		const source = scripted(UNBIASED_LIMIT, 123_456);
		expect(generateCode(source.random)).toBe("123456");
		expect(source.calls()).toBe(2);
	});

	it("rejects every draw above the limit, up to 2^32 - 1", () => {
		const source = scripted(2 ** 32 - 1, UNBIASED_LIMIT + 1, UNBIASED_LIMIT + 500_000, 42);
		expect(generateCode(source.random)).toBe("000042");
		expect(source.calls()).toBe(4);
	});

	it("accepts the last draw below the limit and pads small values", () => {
		expect(generateCode(scripted(UNBIASED_LIMIT - 1).random)).toBe("999999");
		expect(generateCode(scripted(0).random)).toBe("000000");
		expect(generateCode(scripted(1_000_007).random)).toBe("000007");
	});

	it("spreads first and last digits evenly over 20000 draws", () => {
		const codes = Array.from({ length: 20_000 }, () => generateCode());
		const tally = (position: number) => {
			const counts = new Map<string, number>();
			for (const code of codes) counts.set(code.charAt(position), (counts.get(code.charAt(position)) ?? 0) + 1);
			return counts;
		};
		// Expected 2000 each, standard deviation about 42: these bounds are > 10 sigma wide.
		for (const counts of [tally(0), tally(5)]) {
			expect([...counts.keys()].sort().join("")).toBe("0123456789");
			for (const n of counts.values()) {
				expect(n).toBeGreaterThan(1500);
				expect(n).toBeLessThan(2500);
			}
		}
	});
});

describe("macCode", () => {
	const ID = "q1w2E3r4T5y6U7i8O9p0_A";
	const base = macCode(SECRET, "register", "+14155552671", ID, 1, "123456");

	it("is a 32-byte HMAC-SHA256, stable for the same inputs", () => {
		expect(base).toBeInstanceOf(Uint8Array);
		expect(base.length).toBe(32);
		expect(macsEqual(base, macCode(SECRET, "register", "+14155552671", ID, 1, "123456"))).toBe(true);
	});

	it.each([
		["phone", () => macCode(SECRET, "register", "+14155552672", ID, 1, "123456")],
		["registration id", () => macCode(SECRET, "register", "+14155552671", "q1w2E3r4T5y6U7i8O9p0_B", 1, "123456")],
		["generation", () => macCode(SECRET, "register", "+14155552671", ID, 2, "123456")],
		["code", () => macCode(SECRET, "register", "+14155552671", ID, 1, "123457")],
		["purpose", () => macCode(SECRET, "reset", "+14155552671", ID, 1, "123456")],
		["secret", () => macCode(`${SECRET}x`, "register", "+14155552671", ID, 1, "123456")],
	])("changes with the %s", (_, other) => {
		expect(macsEqual(base, other())).toBe(false);
	});

	it("does not let neighbouring fields run into each other", () => {
		// "+1415555267" + "11" vs "+14155552671" + "1": a separator keeps them apart.
		expect(
			macsEqual(
				macCode(SECRET, "register", "+1415555267", ID, 11, "123456"),
				macCode(SECRET, "register", "+14155552671", ID, 1, "123456"),
			),
		).toBe(false);
		// The same between the phone and the id, and between the id and the generation.
		expect(
			macsEqual(
				macCode(SECRET, "register", "+1415555267", `1${ID}`, 1, "123456"),
				macCode(SECRET, "register", "+14155552671", ID, 1, "123456"),
			),
		).toBe(false);
		expect(
			macsEqual(
				macCode(SECRET, "register", "+14155552671", `${ID}1`, 1, "123456"),
				macCode(SECRET, "register", "+14155552671", ID, 11, "123456"),
			),
		).toBe(false);
	});
});

describe("newRegistrationId", () => {
	it("is 22 URL-safe base64 characters: 16 bytes, no padding", () => {
		for (let i = 0; i < 1000; i++) {
			const id = newRegistrationId();
			expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
			// 22 base64 characters carry 132 bits; the last one holds only 2 of them, so it is one of A, Q, g, w.
			expect("AQgw").toContain(id.at(-1));
			const bytes = Uint8Array.from(atob(id.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
			expect(bytes).toHaveLength(16);
		}
	});

	it("uses the whole alphabet, '-' and '_' included", () => {
		const seen = new Set([...Array.from({ length: 500 }, () => newRegistrationId()).join("")]);
		expect(seen.size).toBe(64);
	});

	it("is unique over 10000 draws, with every one of its 16 bytes random", () => {
		const ids = Array.from({ length: 10_000 }, () => newRegistrationId());
		expect(new Set(ids).size).toBe(10_000);
		// 10000 uniform draws of a byte miss one of its 256 values with probability about 256·e^-39:
		// a byte that is fixed, or drawn from fewer bits, shows here.
		const decoded = ids.map((id) =>
			Uint8Array.from(atob(id.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)),
		);
		for (let i = 0; i < 16; i++) expect(new Set(decoded.map((b) => b[i])).size).toBe(256);
	});
});

describe("macsEqual", () => {
	it("is true for equal bytes", () => {
		expect(macsEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
		expect(macsEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
	});

	it("is false when one byte differs, first or last", () => {
		expect(macsEqual(new Uint8Array([1, 2, 3]), new Uint8Array([0, 2, 3]))).toBe(false);
		expect(macsEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false);
	});

	it("is false, without throwing, for different lengths", () => {
		expect(macsEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2]))).toBe(false);
		expect(macsEqual(new Uint8Array(32), new Uint8Array(0))).toBe(false);
	});
});
