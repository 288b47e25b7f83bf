// Archive reading shared by the tarball feature and the .deb extraction: ar containers, decompression by magic
// bytes, tar member walks and the escape check. No other module decompresses an archive (a test checks this).
export { readAr, type ArMember } from "./ar.js";
export { detectCompression, openDecompressed, decompress, type Compression } from "./decompress.js";
export { walkTar, listTar, memberRel, memberKind, escapes, climbingName, archiveErrors, type ArchiveMember, type TarHeader } from "./tar.js";
export { debsToPlainTars, plainTarOf, extractTars, failedArchive, type ScriptRunner, type ScriptResult } from "./batch.js";
export { tarFileHeaders, type TarHeaderEntry } from "./tar-headers.js";
