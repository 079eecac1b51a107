// The Runtime's start: init's settings, consent, the config request and applying a config
// (DESIGN §2a, §3; docs/sdk.md "Consent and persistence", "When delivery stops"). These are methods
// of Runtime (runtime.js mixes them in): they read and set its state (options, consent, config)
// and drive its parts (storage, loop, stored state, log).
import { fetchConfig } from "./config_fetch.js";
import { clientId, forgetClientId } from "./ids.js";
import { Consent, EventType } from "./protocol.js";

export const Startup = {
  // init succeeded. Until some config is applied, the engine keeps writes raw and unsent (DESIGN §3);
  // until consent is granted, nothing else happens. Resolves once the first config request
  // finished, or at once when none is made.
  start(options) {
    this.options = options;
    if (options.debug) this.log.on = true;
    if (this.consent === null) this.consent = options.consent;
    this.log.info("init", { apiHost: options.apiHost, consent: this.consent, persistence: options.persistence });
    if (this.consent === Consent.denied) this.warnDenied();
    return this.begin();
  },

  // Consent granted and init done: storage (unless "memory") and the config request, once.
  begin() {
    if (!this.options || this.consent !== Consent.granted || this.begun || this.closed) return Promise.resolve();
    this.begun = true;
    if (this.options.persistence !== "memory") {
      this.storage.enable();
      const current = this.core.engineClientId();
      const id = clientId(this.storage, current);
      if (id !== current) this.core.engineSetClientId(id);
    }
    this.loop.start(this.options);
    if (this.config || this.fetching) {
      this.pump(); // granted again: what was stored in memory meanwhile goes to storage
      return Promise.resolve();
    }
    const options = this.options;
    const early = this.early; // the first request only: a later one asks again
    this.early = null;
    this.fetching = true;
    return fetchConfig(options, {
      core: this.core, storage: this.storage, timeoutMs: this.limits.requestTimeoutMs, log: this.log,
      maxTries: this.limits.maxTries,
      closed: () => this.closed || this.consent !== Consent.granted,
      apply: (config, provisional) => this.configure(config, provisional), attempted: this.attempted,
      fail: (error, forGood) => this.configFailed(error, forGood), early,
    }).finally(() => (this.fetching = false));
  },

  // The config request failed: for good (401, 403, other 4xx) nothing can ever be sent, so every
  // waiting write and every later call fails with that error; after maxTries unanswered requests
  // the writes waiting for it fail (delivery_failed) and the request goes on for later ones.
  configFailed(error, forGood) {
    if (this.closed || (!forGood && this.config)) return; // a cached config is in use: writes go
    this.log.error(error, forGood ? "config refused:" : "config unreachable:");
    if (forGood) {
      this.failure = error;
      this.onConfigFailed(error);
      if (error.code === "invalid_key" || error.code === "client_attribute_writes_disabled") this.stopped(error.code);
      else this.log.once("config", `attrkit: the config request failed (${error.code}): nothing will be sent from this page`);
    }
    this.core.engineStopDelivery({ code: error.code, message: error.message }, forGood);
    this.pump();
  },

  // ["do", "consent", [...]]: granted starts what init would have; denied forgets this
  // instance's stored state and the install's id, and stores nothing more (docs/sdk.md).
  consented(granted) {
    this.consent = granted ? Consent.granted : Consent.denied;
    this.log.info("consent", this.consent);
    if (granted) return void this.begin().finally(this.attempted);
    this.warnDenied();
    if (!this.begun) return;
    this.begun = false;
    this.stored.forget();
    forgetClientId(this.storage);
    this.storage.disable();
  },

  warnDenied() {
    this.log.once("consent_denied", "attrkit: consent was denied: nothing is stored or sent");
  },

  // provisional: the cached copy, applied before the server answers so that `ready` need not wait
  // for the network; the engine validates against it but sends nothing until the server's answer
  // (a 304, a 200, or no answer at all) is applied without it (docs/engine.md "Provisional config").
  configure(config, provisional = false) {
    if (this.closed) return false;
    const now = Date.now();
    const r = this.core.engineConfigure(config, now, provisional);
    if (!r.ok) {
      this.pump(); // the engine's error event says why (none for a provisional copy)
      return false;
    }
    const fresh = !this.config;
    this.config = config;
    this.log.info("config", { workspace: r.workspace, clientAttributeWrites: r.clientAttributeWrites, definitionsVersion: r.definitionsVersion, provisional });
    if (!r.clientAttributeWrites && !provisional) this.warnDisabled();
    if (fresh) {
      this.onConfigured();
      // "ready" once the stored states are in too: the view and identity are then complete.
      this.stored.restore(r.workspace).then(() => {
        if (this.closed) return;
        this.ready = { workspace: r.workspace, clientAttributeWrites: r.clientAttributeWrites };
        this.events.emit(EventType.ready, this.ready);
      });
    }
    this.pump();
    return true;
  },

  // Delivery stopped for the page (a batch or the config answered 401 or 403): one warning, debug
  // or not.
  stopped(code) {
    if (code === "invalid_key") this.log.once(code, "attrkit: the key was refused (invalid_key): nothing will be sent from this page");
    else if (code === "client_attribute_writes_disabled") this.warnDisabled();
  },

  warnDisabled() {
    this.log.once("client_attribute_writes_disabled",
      "attrkit: client-side attribute writes are disabled for this workspace: every write is refused");
  },
};
