// Preloaded into a benchmarked `strata` process (node --import): writes its peak RSS (KB) to $STRATA_RSS_FILE at exit.
import { writeFileSync } from "node:fs";

const file = process.env.STRATA_RSS_FILE;
if (file !== undefined && file !== "") {
  process.on("exit", () => {
    writeFileSync(file, String(process.resourceUsage().maxRSS));
  });
}
