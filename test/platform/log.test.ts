import { DrizzleQueryError } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { errorMessage } from "../../src/platform/log";

const EMAIL = "jane.doe@example.com";
const HASH = "$scrypt$ln=15,r=8,p=3$c2FsdA$aGFzaA";
const SQL = 'update "customers" set "password_hash" = ? where "customers"."email" = ?';

/** What Drizzle throws when D1 refuses a query: its own text holds every parameter. */
function drizzleFailure(cause?: unknown): DrizzleQueryError {
	return new DrizzleQueryError(SQL, [HASH, EMAIL], cause as Error);
}

describe("errorMessage", () => {
	it("gives the driver's message under a Drizzle query error, never the query's parameters", () => {
		const driver = new Error("no such table: customers: SQLITE_ERROR");
		const wrapped = new Error(`D1_ERROR: ${driver.message}`, { cause: driver });
		const err = drizzleFailure(wrapped);
		expect(String(err)).toContain(EMAIL);
		expect(errorMessage(err)).toBe("no such table: customers: SQLITE_ERROR");
	});

	it("with stack, gives the root's stack, which starts with its message", () => {
		const driver = new Error("no such table: customers: SQLITE_ERROR");
		const text = errorMessage(drizzleFailure(driver), { stack: true });
		expect(text).toBe(driver.stack);
		expect(text).toMatch(/^Error: no such table: customers: SQLITE_ERROR\n/);
		expect(text).not.toContain(EMAIL);
	});

	it("keeps only the SQL of a Drizzle query error that has no cause", () => {
		for (const options of [{}, { stack: true }]) {
			const text = errorMessage(drizzleFailure(), options);
			expect(text).toBe(`Failed query: ${SQL}`);
			expect(text).not.toContain(EMAIL);
			expect(text).not.toContain("$scrypt$");
		}
	});

	it("walks a long chain to its end, and stops on a circular one", () => {
		let err = new Error("the root");
		for (let i = 0; i < 5; i++) err = new Error(`wrapper ${i}`, { cause: err });
		expect(errorMessage(err)).toBe("the root");
		const a = new Error("a");
		const b = new Error("b", { cause: a });
		a.cause = b;
		expect(["a", "b"]).toContain(errorMessage(a));
	});

	it("renders what is not an Error as a string; an error without a cause is its own root", () => {
		expect(errorMessage("plain text")).toBe("plain text");
		expect(errorMessage(new Error("wrapper", { cause: 42 }))).toBe("42");
		expect(errorMessage(new TypeError("x is undefined"))).toBe("x is undefined");
		expect(errorMessage(new TypeError("x is undefined"), { stack: true })).toMatch(/^TypeError: x is undefined\n/);
	});
});
