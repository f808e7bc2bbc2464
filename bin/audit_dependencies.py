"""Known vulnerabilities in the installed dependencies (pip-audit against PyPI's advisory
data). Fails on a finding; where the advisory data cannot be reached, or does not know a
version, it says so and does not fail: a closed network is not a vulnerability.

Usage: .venv/bin/python bin/audit_dependencies.py
"""

import json
import subprocess  # nosec B404
import sys


def main() -> int:
    finished = subprocess.run(  # nosec B603 (fixed arguments, no shell)
        [sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off"],
        capture_output=True, text=True, check=False,
    )
    try:
        report = json.loads(finished.stdout or "{}")
    except json.JSONDecodeError:
        print("pip-audit could not run or reach PyPI's advisory data: dependencies NOT audited.")
        print(finished.stderr.strip()[-1000:])
        return 0
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = len(dependencies) - len(skipped)
    print(f"pip-audit: {audited} dependencies audited, {len(skipped)} not known to PyPI's "
          f"advisory data (not audited), {len(vulnerable)} with known vulnerabilities.")
    for dependency in vulnerable:
        ids = ", ".join(v["id"] for v in dependency["vulns"])
        print(f"  {dependency['name']} {dependency['version']}: {ids}")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
