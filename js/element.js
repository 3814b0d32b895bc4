// <hopae-verify>: the widget as a custom element. Exported unregistered;
// `hopae-connect-widget/define` (or the drop-in script) registers it.
import { mount } from "./mount.js";
import { detail, dispatch } from "./events.js";

/**
 * Attribute -> option; numbers are parsed by the widget. The one table: the
 * drop-in reads the same options from `data-*` attributes of these names.
 */
export const ATTRIBUTES = {
  endpoint: "endpoint",
  provider: "providerId",
  "poll-interval": "pollInterval",
  timeout: "timeout",
  "request-timeout": "requestTimeout",
  "max-retries": "maxRetries",
  locale: "locale",
  size: "size",
  redirect: "redirect",
  resume: "resume",
  "fallback-providers": "fallbackProviders",
  credentials: "credentials",
  "require-user-data": "requireUserData",
};

/** Tells the page that options are wrong, where there is no caller to throw to. */
export function reportInvalid(element, error) {
  console.error(error);
  dispatch(element, "failed", detail("failed", null, "invalid_options", "Invalid options", error.message, null, false, null));
}

// Importing this module in Node must not throw: extend HTMLElement only where it exists.
const Base = globalThis.HTMLElement ?? class {};

export class HopaeVerifyElement extends Base {
  static observedAttributes = Object.keys(ATTRIBUTES);

  #handle;
  #options = {};
  #scheduled = false;
  #mounting = false;

  /** Options that cannot be attributes (headers, body, messages, …), merged over them. */
  get options() {
    return this.#options;
  }
  set options(value) {
    this.#options = { ...(value ?? {}) };
    this.#remount();
  }

  /** The running verification's id. */
  get verificationId() {
    return this.#handle?.verificationId;
  }
  /** The last status the server reported. */
  get status() {
    return this.#handle?.status;
  }
  cancel() {
    this.#handle?.cancel();
  }
  restart() {
    this.#handle?.restart();
  }

  connectedCallback() {
    // Moved within the document: the verification carries on.
    if (!this.#handle && !this.#mounting) this.#remount();
  }

  disconnectedCallback() {
    // A move (removed and inserted in one task) keeps the verification.
    queueMicrotask(() => {
      if (!this.isConnected) this.#destroy();
    });
  }

  attributeChangedCallback(name, before, after) {
    if (before !== after && this.isConnected) this.#remount();
  }

  #destroy() {
    this.#handle?.destroy();
    this.#handle = undefined;
  }

  /** Mounts (again) once the current task's attribute changes are all in. */
  #remount() {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#mounting = true;
    queueMicrotask(async () => {
      this.#scheduled = false;
      if (!this.isConnected) {
        this.#mounting = false;
        return;
      }
      const options = { ...this.#options };
      for (const [attribute, option] of Object.entries(ATTRIBUTES)) {
        if (this.hasAttribute(attribute)) options[option] = this.getAttribute(attribute);
      }
      this.#destroy();
      try {
        const handle = await mount(this, options);
        // Removed while the module loaded: nothing to keep.
        if (this.isConnected) this.#handle = handle;
        else handle.destroy();
      } catch (error) {
        reportInvalid(this, error);
      } finally {
        this.#mounting = false;
      }
    });
  }
}
