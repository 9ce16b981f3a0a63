#!/usr/bin/env python3
"""Prints one line per test project (passed, failed, skipped, duration) from the TRX files of a `dotnet test` run,
then every failed test with the first lines of its message. Used by deploy/run-tests.sh at the end of the run."""
import glob
import os
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}


def main(directory: str) -> int:
    files = sorted(glob.glob(os.path.join(directory, "**", "*.trx"), recursive=True))
    if not files:
        print(f"test summary: no TRX file under {directory}")
        return 1
    failures = []
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    print("\n== test summary (from TRX) ==")
    for path in files:
        root = ET.parse(path).getroot()
        results = root.findall(".//t:UnitTestResult", NS)
        storage = root.find(".//t:UnitTest", NS)
        project = os.path.splitext(os.path.basename(storage.get("storage", path)))[0] if storage is not None else os.path.basename(path)
        counts = {"passed": 0, "failed": 0, "skipped": 0}
        for result in results:
            outcome = result.get("outcome", "")
            if outcome == "Passed":
                counts["passed"] += 1
            elif outcome in ("Failed", "Error", "Timeout", "Aborted"):
                counts["failed"] += 1
                message = result.find(".//t:ErrorInfo/t:Message", NS)
                text = (message.text or "").strip().splitlines() if message is not None else []
                failures.append((project, result.get("testName", "?"), text[:6]))
            else:
                counts["skipped"] += 1
        times = root.find("t:Times", NS)
        span = ""
        if times is not None and times.get("start") and times.get("finish"):
            span = f"  {times.get('start')[11:19]}-{times.get('finish')[11:19]}"
        print(f"{project:45} passed {counts['passed']:4}  failed {counts['failed']:3}  skipped {counts['skipped']:3}{span}")
        for key in totals:
            totals[key] += counts[key]
    print(f"{'total':45} passed {totals['passed']:4}  failed {totals['failed']:3}  skipped {totals['skipped']:3}")
    for project, name, lines in failures:
        print(f"FAILED {project}: {name}")
        for line in lines:
            print(f"    {line[:300]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "TestResults/run-tests"))
