import { describe, expect, it } from "vitest";
import { smsSegments } from "../../../src/messaging/i18n";

describe("smsSegments", () => {
	it("counts pure GSM-7: 160 septets are one segment, 161 are two (153 a part)", () => {
		expect(smsSegments("a".repeat(160))).toEqual({ encoding: "GSM-7", units: 160, segments: 1 });
		expect(smsSegments("a".repeat(161))).toEqual({ encoding: "GSM-7", units: 161, segments: 2 });
		expect(smsSegments("a".repeat(306))).toMatchObject({ segments: 2 });
		expect(smsSegments("a".repeat(307))).toMatchObject({ segments: 3 });
	});

	it("counts the extension table twice: € { } [ ] ~ ^ | \\ and form feed", () => {
		for (const ch of ["€", "{", "}", "[", "]", "~", "^", "|", "\\", "\f"])
			expect(smsSegments(`a${ch}`), ch).toEqual({ encoding: "GSM-7", units: 3, segments: 1 });
		expect(smsSegments(`${"a".repeat(158)}€`)).toMatchObject({ units: 160, segments: 1 });
		expect(smsSegments(`${"a".repeat(159)}€`)).toMatchObject({ units: 161, segments: 2 });
	});

	it("keeps the GSM-7 accents and signs in GSM-7: é è ü ñ ß £ ¿ ¡ Δ, newlines", () => {
		expect(smsSegments("éèüñßÄÖÑÜ£¥¿¡§ΔΦΓΛΩΠΨΣΘΞ@$_\n\r")).toMatchObject({ encoding: "GSM-7", units: 29 });
	});

	it("switches the whole message to UCS-2 for one character outside GSM-7 (70 a segment, 67 a part)", () => {
		expect(smsSegments(`${"a".repeat(69)}ж`)).toEqual({ encoding: "UCS-2", units: 70, segments: 1 });
		expect(smsSegments(`${"a".repeat(70)}ж`)).toEqual({ encoding: "UCS-2", units: 71, segments: 2 });
		expect(smsSegments("a".repeat(134) + "ç")).toMatchObject({ encoding: "UCS-2", segments: 3 });
		for (const ch of ["á", "ç", "ã", "ş", "ı", "ê", "’", "“"]) expect(smsSegments(ch).encoding, ch).toBe("UCS-2");
	});

	it("counts an emoji as its two UTF-16 code units", () => {
		expect(smsSegments("😀")).toEqual({ encoding: "UCS-2", units: 2, segments: 1 });
		expect(smsSegments(`${"a".repeat(68)}😀`)).toMatchObject({ units: 70, segments: 1 });
		expect(smsSegments(`${"a".repeat(69)}😀`)).toMatchObject({ units: 71, segments: 2 });
	});
});
