// The pinned Debian packages strata itself builds on. base/BUCK names the same filename and sha256 (a test checks).
// Only the pool filename is pinned: the archive comes from `[strata] debian_mirror` (src/debian/mirror.ts).
import { poolUrl } from "./mirror.js";

export interface DebPin {
  package: string;
  version: string;
  /** path in the archive, as the Packages index's `Filename` */
  filename: string;
  sha256: string;
  /** the download URL under the configured mirror (throws a clear error when no mirror is configured) */
  readonly url: string;
}

function pin(p: Omit<DebPin, "url">): DebPin {
  return {
    ...p,
    get url() {
      return poolUrl(p.filename);
    },
  };
}

export const BUSYBOX_STATIC: DebPin = pin({
  package: "busybox-static",
  version: "1:1.35.0-4+deb12u1+b1",
  filename: "pool/main/b/busybox/busybox-static_1.35.0-4+deb12u1+b1_amd64.deb",
  sha256: "3d3fdbe91d4660c873e14b092c213fe81c1da6362daa236eb25d0171eb108744",
});
