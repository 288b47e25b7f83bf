// The environment inside the container: exactly these variables plus what the caller passes explicitly.
import type { Identity } from "./identity.js";

export const CONTAINER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export function containerEnv(identity: Identity, epoch: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: CONTAINER_PATH,
    HOME: identity.home,
    USER: identity.name,
    TZ: "UTC",
    LANG: "C.UTF-8",
    SOURCE_DATE_EPOCH: String(epoch),
    ...extra,
  };
}
