import { gsm7Units } from "../../phone/gsm7";

export interface SmsSegments {
	encoding: "GSM-7" | "UCS-2";
	/** Septets (GSM-7, extension characters count 2) or UTF-16 code units (UCS-2). */
	units: number;
	segments: number;
}

/**
 * How many SMS a text travels as: GSM-7 when every character is in the GSM
 * 03.38 alphabet (160 septets alone, 153 per part of a longer message), else
 * UCS-2 (70 code units alone, 67 per part). Either way one segment is 140
 * bytes, the SMS Retriever limit.
 */
export function smsSegments(text: string): SmsSegments {
	const septets = gsm7Units(text);
	if (septets !== undefined)
		return { encoding: "GSM-7", units: septets, segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
	const units = text.length;
	return { encoding: "UCS-2", units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}
