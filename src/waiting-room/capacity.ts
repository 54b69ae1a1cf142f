// Admission that follows the event's spare capacity. The operator's rate is a ceiling; the
// rate the room runs at is that times a factor that backs off while the event's holds are
// answered slowly and creeps back while they are fast (additive increase, multiplicative
// decrease, as TCP does), and is zero once nothing is left to hold: admitting fans to a
// sold-out map only sends them to a page of grey seats.

export interface CapacityPolicy {
  /** A hold acknowledged slower than this counts as slow. */
  slowMs: number;
  /** Holds in a window that may be slow before the room backs off (a fraction). */
  slowShare: number;
  /** Fewer holds than this in a window say nothing about load. */
  minHolds: number;
  /** The factor is multiplied by this on a slow window… */
  backoff: number;
  /** …and grows by this on a fast (or quiet) one, up to 1. */
  recover: number;
  /** The factor never drops below this: the queue keeps moving. */
  minFactor: number;
}

export const DEFAULT_POLICY: CapacityPolicy = {
  slowMs: 250,
  slowShare: 0.01,
  minHolds: 20,
  backoff: 0.7,
  recover: 0.05,
  minFactor: 0.05,
};

/** What one window (a waiting-room tick) saw of an event's holds. */
export interface HoldWindow {
  holds: number;
  slow: number;
}

/** The next factor after a window. Pure. */
export function nextFactor(factor: number, w: HoldWindow, p: CapacityPolicy): number {
  if (w.holds >= p.minHolds && w.slow > w.holds * p.slowShare)
    return Math.max(p.minFactor, factor * p.backoff);
  return Math.min(1, factor + p.recover);
}

/**
 * Counts holds per event as the gateway answers them, and turns each window's counts into
 * the admission rate the waiting room asks for on its tick.
 */
export class CapacityFollower {
  private windows = new Map<string, HoldWindow>();
  private factors = new Map<string, number>();
  private available = new Map<string, number>();
  private reading = new Set<string>();

  constructor(
    /** Seats and general-admission places left to hold (read from the event's actor). */
    private readonly availability: (eventId: string) => Promise<number | null>,
    private readonly policy: CapacityPolicy = DEFAULT_POLICY,
  ) {}

  /** A hold was answered after `ms`. */
  recordHold(eventId: string, ms: number): void {
    let w = this.windows.get(eventId);
    if (!w) {
      w = { holds: 0, slow: 0 };
      this.windows.set(eventId, w);
    }
    w.holds++;
    if (ms > this.policy.slowMs) w.slow++;
  }

  /** The rate to admit at now, given the operator's; closes the event's window. */
  admissionRate(eventId: string, configured: number): number {
    const w = this.windows.get(eventId) ?? { holds: 0, slow: 0 };
    this.windows.delete(eventId);
    const factor = nextFactor(this.factors.get(eventId) ?? 1, w, this.policy);
    this.factors.set(eventId, factor);
    this.refresh(eventId);
    if (this.available.get(eventId) === 0) return 0;
    return configured * factor;
  }

  /** The factor the event's admission runs at (1: the operator's rate). */
  factor(eventId: string): number {
    return this.factors.get(eventId) ?? 1;
  }

  /** Reads availability in the background; the next tick uses it (a tick's lag is fine). */
  private refresh(eventId: string): void {
    if (this.reading.has(eventId)) return;
    this.reading.add(eventId);
    this.availability(eventId)
      .then(
        (n) => {
          if (n === null) this.available.delete(eventId);
          else this.available.set(eventId, n);
        },
        () => this.available.delete(eventId),
      )
      .finally(() => this.reading.delete(eventId));
  }
}
