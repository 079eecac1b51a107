// Engine out (core/engine.h "events"): each event engineTakeEvents() returns goes to one place.
// A settled ticket resolves the Promise of the call that waits for it; an error or a delivery
// goes to the page's listeners. What the server stored is the engine's to remember (believed()).
import { toError } from "./errors.js";
import { EventType } from "./protocol.js";

export class Dispatch {
  /** `events`: the page's listeners (an Emitter); `log`: the debug console (log.js). */
  constructor(events, log) {
    this.events = events;
    this.log = log;
    this.tickets = new Map(); // ticket -> settle(result)
  }

  /** `settle(result)` runs once the engine settles `ticket` (a "settled" event). */
  wait(ticket, settle) {
    this.tickets.set(ticket, settle);
  }

  take(list) {
    for (const ev of list) {
      if (ev.type === EventType.settled) {
        const settle = this.tickets.get(ev.ticket);
        this.tickets.delete(ev.ticket);
        settle?.(ev.result);
      } else if (ev.type === EventType.error) {
        const error = toError(ev.error, ev);
        this.log.error(error, ev.writeIds ? `${ev.writeIds.length} write(s) failed:` : "error");
        this.events.emit(EventType.error, error);
      } else if (ev.type === EventType.delivered) {
        this.log.debug("delivered", ev.distinctId, ev.attribute, ev.value);
        this.events.emit(EventType.delivered, {
          distinctId: ev.distinctId, attribute: ev.attribute, value: ev.value,
          personId: ev.personId, writeId: ev.writeId, superseded: ev.superseded ?? 0,
        });
      }
    }
  }

  /** Every ticket still waiting settles with `result` (the client closes). */
  settleAll(result) {
    for (const settle of this.tickets.values()) settle(result);
    this.tickets.clear();
  }
}
