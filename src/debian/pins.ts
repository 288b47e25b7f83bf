// The pinned Debian packages strata itself builds on. base/BUCK names the same url and sha256 (a test checks).
export interface DebPin {
  package: string;
  version: string;
  url: string;
  sha256: string;
}

export const BUSYBOX_STATIC: DebPin = {
  package: "busybox-static",
  version: "1:1.35.0-4+deb12u1+b1",
  url: "http://deb.debian.org/debian/pool/main/b/busybox/busybox-static_1.35.0-4+deb12u1+b1_amd64.deb",
  sha256: "3d3fdbe91d4660c873e14b092c213fe81c1da6362daa236eb25d0171eb108744",
};
