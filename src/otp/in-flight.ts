import type { Mark } from "./caps";
import type { ChallengeState, Purpose } from "./state";

/** What the object must remember about a code that left it, until the caller reports back. */
export interface Outstanding {
	/** The state the code replaced (a send) or was taken from (a right code): what an undo restores. */
	before: ChallengeState;
	/** The send's own mark, taken back when the send never reached a provider. */
	mark?: Mark;
}

/** How many codes may await their caller's report at once; the oldest is forgotten first. */
const LIMIT = 32;

/**
 * Codes handed to a caller outside the object (a send on its way, a right
 * code whose customer is being written), by purpose, id and generation.
 *
 * Invariant: memory only. If the object is evicted before the caller
 * reports back, the undo is lost and the code simply stays as committed:
 * a send that failed leaves an undelivered code (a resend replaces it), a
 * right code stays consumed (the customer asks for a new one). Neither
 * grants anything to anyone.
 */
export class InFlight {
	#held = new Map<string, Outstanding>();

	hold(purpose: Purpose, id: string, generation: number, outstanding: Outstanding): void {
		this.#held.set(key(purpose, id, generation), outstanding);
		if (this.#held.size > LIMIT) this.#held.delete(this.#held.keys().next().value as string);
	}

	/** The outstanding entry, removed: each is settled once. */
	take(purpose: Purpose, id: string, generation: number): Outstanding | undefined {
		const k = key(purpose, id, generation);
		const found = this.#held.get(k);
		this.#held.delete(k);
		return found;
	}
}

const key = (purpose: Purpose, id: string, generation: number) => `${purpose}:${id}:${generation}`;
