import type { OtpPolicy } from "../config/config";
import { type Ledger, ledgerWake, recent } from "./caps";
import { atTime, nextWake, settle } from "./expiry";
import { fallbackWake } from "./fallback";
import { type ChallengeState, EMPTY, holdsCode, type Purpose, type Registration, type ResetRequest } from "./state";
import { emptyStore, ensureSchema, hasSchema, load, type Stored, saveCode, saveLedger } from "./storage";

const RESET_ID = "reset";

/**
 * A phone object's state in memory and in its SQLite, kept equal: every
 * commit writes synchronously (no await), then moves the alarm. The tables
 * are created by the first commit, and everything is deleted once nothing
 * is held, so probing a phone leaves no storage behind.
 */
export class PhoneStore {
	#stored: Stored;
	#schemaReady: boolean;
	#alarmAt: number | null = null;

	constructor(
		private readonly storage: DurableObjectStorage,
		private readonly policy: () => OtpPolicy,
	) {
		this.#schemaReady = hasSchema(storage.sql);
		this.#stored = this.#schemaReady ? load(storage.sql) : emptyStore();
	}

	get registrations(): ReadonlyMap<string, ChallengeState<Registration>> {
		return this.#stored.registrations;
	}

	/** The registration `id` if it still holds a code at `now`. */
	liveRegistration(id: string, now: number): ChallengeState<Registration> | undefined {
		const found = this.#stored.registrations.get(id);
		const s = found && atTime(found, now);
		return s && holdsCode(s) ? s : undefined;
	}

	/** The reset code at `now`; a fresh one for `network` when none is held. */
	reset(now: number, network: string): ChallengeState<ResetRequest> {
		return atTime(this.#stored.reset ?? { ...EMPTY, id: RESET_ID, network }, now);
	}

	get<P extends Purpose>(purpose: P, id: string): ChallengeState | undefined {
		return purpose === "reset" ? (this.#stored.reset ?? undefined) : this.#stored.registrations.get(id);
	}

	ledger(purpose: Purpose): Ledger {
		return this.#stored.ledgers[purpose];
	}

	recentLedger(purpose: Purpose, now: number): Ledger {
		return recent(this.#stored.ledgers[purpose], now);
	}

	/** The codes whose latest send is `messageId`. */
	withMessage(messageId: string): [Purpose, ChallengeState][] {
		const out: [Purpose, ChallengeState][] = [];
		for (const r of this.#stored.registrations.values()) if (r.messageId === messageId) out.push(["register", r]);
		if (this.#stored.reset?.messageId === messageId) out.push(["reset", this.#stored.reset]);
		return out;
	}

	/** Commits one code (by its id; `none` deletes it) and, when given, the flow's ledger. No awaits. */
	commit(purpose: Purpose, next: ChallengeState, ledger?: Ledger): void {
		const prev = this.get(purpose, next.id);
		// A code that never existed and still does not (a verify with nothing pending) writes nothing.
		if (next !== prev && (prev || next.status !== "none")) {
			const kept = next.status === "none" ? null : next;
			saveCode(this.#sql(), purpose, next.id, kept, prev);
			if (purpose === "reset") this.#stored.reset = kept as ChallengeState<ResetRequest> | null;
			else if (kept) this.#stored.registrations.set(next.id, kept as ChallengeState<Registration>);
			else this.#stored.registrations.delete(next.id);
		}
		if (ledger) this.#writeLedger(purpose, ledger);
		this.#schedule();
	}

	commitLedger(purpose: Purpose, ledger: Ledger): void {
		this.#writeLedger(purpose, ledger);
		this.#schedule();
	}

	/** The alarm: expires codes, drops tombstones past their period and marks past the day, purges when nothing is left. */
	async age(now: number): Promise<void> {
		this.#alarmAt = null;
		const p = this.policy();
		for (const r of [...this.#stored.registrations.values()]) {
			const kept = settle(atTime(r, now), now, p);
			this.commit("register", kept ?? { ...r, status: "none" });
		}
		const reset = this.#stored.reset;
		if (reset) this.commit("reset", settle(atTime(reset, now), now, p) ?? { ...reset, status: "none" });
		for (const purpose of ["register", "reset"] as const) this.#writeLedger(purpose, this.recentLedger(purpose, now));
		this.#schedule();
	}

	#writeLedger(purpose: Purpose, next: Ledger): void {
		const prev = this.#stored.ledgers[purpose];
		if (next === prev) return;
		saveLedger(this.#sql(), purpose, next, prev);
		this.#stored.ledgers[purpose] = next;
	}

	#sql(): SqlStorage {
		if (!this.#schemaReady) {
			ensureSchema(this.storage.sql);
			this.#schemaReady = true;
		}
		return this.storage.sql;
	}

	/** The alarm runs at the earliest wake of any code or mark; when nothing is held, storage is deleted. */
	#schedule(): void {
		const p = this.policy();
		const { registrations, reset, ledgers } = this.#stored;
		const wakes = [...registrations.values()].flatMap((r) => [nextWake(r, p), fallbackWake(r)]);
		if (reset) wakes.push(nextWake(reset, p));
		wakes.push(ledgerWake(ledgers.register), ledgerWake(ledgers.reset));
		const positive = wakes.filter((w) => w > 0);
		if (positive.length === 0) {
			if (this.#schemaReady) void this.storage.deleteAll();
			if (this.#alarmAt !== 0) void this.storage.deleteAlarm();
			this.#schemaReady = false;
			this.#stored = emptyStore();
			this.#alarmAt = 0;
			return;
		}
		const wake = Math.min(...positive);
		if (wake !== this.#alarmAt) {
			this.#alarmAt = wake;
			// Storage writes need no await: the output gate holds replies until they are durable.
			void this.storage.setAlarm(wake);
		}
	}
}
