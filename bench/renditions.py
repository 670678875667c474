"""Part 4, renditions: grid (256) + preview (512) from a 2048×2048 photo-like JPEG.

* CPU per image for both renditions with `generation.pipeline.renditions.process_image` (which
  also verifies the file), against the naive Pillow pipeline measured in the same run: decode once
  with `convert("RGB")`, then `thumbnail(LANCZOS)` a copy to 512 and another to 256, JPEG q85.
  Each method runs in fresh processes (3 each, alternating), one warm-up pass over 20 test
  photos (`bench.photos`), then 5 timed passes; per image the median of its passes, per run
  the median over images, reported as the median of the 3 runs (min–max).
* Extra RSS: peak RSS at the end minus peak RSS after imports, in those fresh processes
  (VmHWM, i.e. `ru_maxrss` of a fresh process image).
* Quality: PSNR of each decoded rendition against a full-resolution LANCZOS reference.
* Peak worker RSS with 4 outputs in flight: a real worker (`-P prefork -c 2`) ingests 12
  generations of 4 × 2048×2048 outputs; VmHWM of the main process and each child.
* Media headers: the rendition view's answer for a rendition the worker made (test Client).
"""

from __future__ import annotations

import io
import json
import math
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench.common import PYTHON, ROOT, check, targets_table
from bench.stack import (
    Emulator,
    base_env,
    manage,
    proc_status_kb,
    run_driver,
    start_worker,
    stop,
    var_dir,
    worker_children,
)

PHOTOS = Path(tempfile.gettempdir()) / "firefly-bench-photos-v1"
PASSES = 5
RUNS = 3
SIZES = {"preview": 512, "grid": 256}


def _measure(method: str, passes: int) -> dict:
    done = subprocess.run(
        [PYTHON, "-m", "bench.renditions", "measure", method, str(PHOTOS), str(passes)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _worker_rss(quick: bool) -> dict:
    n = 6 if quick else 12
    with var_dir("renditions") as var:
        emulator = Emulator(var, job_seconds=0.5, pending_seconds=0.1)
        env = base_env(var, **emulator.settings())
        worker = None
        try:
            manage(env, "migrate", "--noinput")
            worker = start_worker(env, var / "worker.log")
            children = worker_children(worker)
            before = {pid: proc_status_kb(pid, "VmRSS") for pid in [worker.pid, *children]}
            run_driver("bench.renditions", env, "ingest", "--n", str(n))
            peaks = {pid: proc_status_kb(pid, "VmHWM") for pid in [worker.pid, *children]}
            headers = run_driver("bench.renditions", env, "headers")
        finally:
            stop(worker)
            emulator.stop()
    child_peaks = [peaks[pid] / 1024 for pid in children if peaks.get(pid)]
    return {
        "generations": n,
        "main_rss_mb": (before.get(worker.pid) or 0) / 1024,
        "main_peak_mb": (peaks.get(worker.pid) or 0) / 1024,
        "child_rss_before_mb": [(before.get(pid) or 0) / 1024 for pid in children],
        "child_peak_mb": child_peaks,
        "headers": headers,
    }


def run(quick: bool = False) -> dict:
    from bench import photos

    photos.ensure(PHOTOS, 20)
    passes = 2 if quick else PASSES
    runs = 1 if quick else RUNS
    measured: dict[str, list[dict]] = {"app": [], "naive": []}
    for _ in range(runs):
        for method in ("app", "naive"):
            measured[method].append(_measure(method, passes))
    app, naive = measured["app"], measured["naive"]
    cpu_app = statistics.median(r["cpu_ms"] for r in app)
    cpu_naive = statistics.median(r["cpu_ms"] for r in naive)
    rss_app = statistics.median(r["rss_delta_mb"] for r in app)
    grid_max_kb = max(r["grid_max_kb"] for r in app)
    worker = _worker_rss(quick)
    headers = worker["headers"]
    peak = max([worker["main_peak_mb"], *worker["child_peak_mb"]])
    result = {
        "name": "renditions",
        "photos": app[0]["photos"],
        "app": app,
        "naive": naive,
        "speedup": cpu_naive / cpu_app,
        "worker": worker,
    }
    result["targets"] = [
        check("CPU per 2048² image, grid + preview", cpu_app, 30, " ms", fmt="{:.1f}"),
        check(
            "speed-up over naive Pillow (same run)",
            cpu_naive / cpu_app,
            2.0,
            "×",
            at_least=True,
            fmt="{:.2f}",
        ),
        check("extra RSS per process (ru_maxrss delta)", rss_app, 15, " MB", fmt="{:.1f}"),
        check("peak worker RSS, 4 outputs in flight", peak, 250, " MB", fmt="{:.0f}"),
        check("largest grid thumbnail", grid_max_kb, 40, " KB", fmt="{:.1f}"),
        check(
            "rendition served with an immutable name and a year's max-age",
            1.0 if headers["immutable_ok"] else 0.0,
            1.0,
            at_least=True,
            fmt="{:.0f}",
            note=headers["cache_control"],
        ),
    ]
    result["markdown"] = to_markdown(result)
    return result


def _cell(runs: list[dict], key: str, fmt: str = "{:.1f}") -> str:
    values = [r[key] for r in runs]
    mid = statistics.median(values)
    return f"{fmt.format(mid)} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def to_markdown(r: dict) -> str:
    p = r["photos"]
    w = r["worker"]
    h = w["headers"]
    lines = [
        "## 4. Renditions",
        "",
        f"{p['count']} photo-like 2048×2048 JPEGs (`bench/photos.py`: gradients, shapes, blur, "
        f"lines, luminance + chroma noise, texture; q90 4:2:0 baseline; {p['min_mb']:.2f}–"
        f"{p['max_mb']:.2f} MB, median {p['median_mb']:.2f} MB) → grid 256 + preview 512, "
        "JPEG q85. Fresh process per run, warm-up pass, then timed passes; median (min–max) "
        "over runs.",
        "",
        *targets_table(r["targets"]),
        "",
        "| pipeline | CPU ms / image (both sizes) | wall ms / image | extra RSS (MB) "
        "| grid KB median / max | preview KB median | PSNR grid / preview (dB) |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, runs in (
        (
            "`generation.pipeline.renditions.process_image` (verify; JPEG DCT-scaled decode "
            "to 1024; box 2× to the 512 preview; LANCZOS 256 from it)",
            r["app"],
        ),
        ("naive: `convert('RGB')`, then `thumbnail(LANCZOS)` 512 and 256", r["naive"]),
    ):
        lines.append(
            f"| {label} | {_cell(runs, 'cpu_ms')} | {_cell(runs, 'wall_ms')} "
            f"| {_cell(runs, 'rss_delta_mb')} | {runs[0]['grid_median_kb']:.1f} / "
            f"{runs[0]['grid_max_kb']:.1f} | {runs[0]['preview_median_kb']:.1f} "
            f"| {runs[0]['psnr_grid']:.1f} / {runs[0]['psnr_preview']:.1f} |"
        )
    lines += [
        "",
        f"Speed-up: **{r['speedup']:.2f}×** less CPU than the naive pipeline.",
        "",
        f"Worker (`-P prefork -c 2`) ingesting {w['generations']} generations × 4 outputs "
        f"of 2048×2048: main process peak {w['main_peak_mb']:.0f} MB; pool processes "
        + ", ".join(
            f"{before:.0f} → peak {peak:.0f} MB"
            for before, peak in zip(w["child_rss_before_mb"], w["child_peak_mb"], strict=False)
        )
        + " (VmHWM).",
        "",
        f"Rendition view: `{h['url']}` → {h['status']}, `Content-Type: {h['content_type']}`, "
        f"`Cache-Control: {h['cache_control']}`; the name carries the original's checksum, so "
        f"a changed image gets a new URL (an out-of-date name answers {h['stale_status']}).",
    ]
    return "\n".join(lines)


# --- children --------------------------------------------------------------------------------


def _naive(path: Path) -> dict[str, bytes]:
    from PIL import Image

    out = {}
    with Image.open(path) as opened:
        im = opened.convert("RGB")
    for spec, size in SIZES.items():
        copy = im.copy()
        copy.thumbnail((size, size), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        copy.save(buffer, "JPEG", quality=85)
        out[spec] = buffer.getvalue()
    return out


def _app(path: Path) -> dict[str, bytes]:
    from generation.pipeline.renditions import process_image

    return {r.spec: r.content for r in process_image(path).renditions}


def _psnr(reference, data: bytes) -> float:
    from PIL import Image, ImageChops, ImageStat

    with Image.open(io.BytesIO(data)) as im:
        decoded = im.convert("RGB")
    ref = reference.resize(decoded.size, Image.Resampling.LANCZOS)
    stat = ImageStat.Stat(ImageChops.difference(ref, decoded))
    mse = sum(stat.sum2) / (3 * decoded.width * decoded.height)
    return 10 * math.log10(255**2 / mse) if mse else float("inf")


def _peak_kb() -> int:
    """This process's peak RSS. `ru_maxrss` would do in a process started from a small parent,
    but Linux carries it over `exec` from the parent; VmHWM starts afresh with the new image."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(method: str, folder: Path, passes: int) -> dict:
    from PIL import Image

    import generation.pipeline.renditions  # noqa: F401  (same imports for both methods)

    fn = _app if method == "app" else _naive
    files = sorted(folder.glob("*.jpg"))
    base_kb = _peak_kb()
    sizes_kb: dict[str, list[float]] = {"grid": [], "preview": []}
    for path in files:  # warm-up (and page cache); keep only the sizes
        for spec, data in fn(path).items():
            sizes_kb[spec].append(len(data) / 1024)
    cpu: dict[Path, list[float]] = {p: [] for p in files}
    wall: dict[Path, list[float]] = {p: [] for p in files}
    for _ in range(passes):
        for path in files:
            c0, w0 = time.process_time(), time.perf_counter()
            fn(path)
            cpu[path].append((time.process_time() - c0) * 1000)
            wall[path].append((time.perf_counter() - w0) * 1000)
    peak_kb = _peak_kb()
    psnr = {"grid": [], "preview": []}
    for path in files[:5]:
        with Image.open(path) as im:
            reference = im.convert("RGB")
        made = fn(path)
        for spec in psnr:
            psnr[spec].append(_psnr(reference, made[spec]))
    sizes = [p.stat().st_size / 1e6 for p in files]
    grid_kb = sizes_kb["grid"]
    return {
        "method": method,
        "cpu_ms": statistics.median(statistics.median(v) for v in cpu.values()),
        "wall_ms": statistics.median(statistics.median(v) for v in wall.values()),
        "rss_delta_mb": (peak_kb - base_kb) / 1024,
        "rss_base_mb": base_kb / 1024,
        "grid_median_kb": statistics.median(grid_kb),
        "grid_max_kb": max(grid_kb),
        "preview_median_kb": statistics.median(sizes_kb["preview"]),
        "psnr_grid": statistics.median(psnr["grid"]),
        "psnr_preview": statistics.median(psnr["preview"]),
        "photos": {
            "count": len(files),
            "min_mb": min(sizes),
            "median_mb": statistics.median(sizes),
            "max_mb": max(sizes),
        },
    }


def ingest(n: int) -> dict:
    """Create `n` generations of 4 × 2048² outputs and wait for the worker to save them."""
    from bench import djangoside

    djangoside.setup()
    from generation.pipeline.generations import generation_create

    user = djangoside.person("bench-renditions", staff=True)
    campaign = djangoside.campaign_with([user])
    ids = [
        generation_create(
            campaign=campaign,
            user=user,
            prompt=f"a glass bottle on a marble table, soft light, take {i}",
            width=2048,
            height=2048,
            num_variations=4,
        ).pk
        for i in range(n)
    ]
    finished = djangoside.wait_all_terminal(ids, timeout=300)
    rows = djangoside.generation_rows(ids)
    return {"finished": finished, "succeeded": sum(r["status"] == "succeeded" for r in rows)}


def headers() -> dict:
    from bench import djangoside

    djangoside.setup()
    from django.test import Client

    from generation.models import Rendition
    from generation.studio.presenters import rendition_url

    rendition = Rendition.objects.filter(spec="grid").select_related("image").first()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(djangoside.person("bench-renditions", staff=True))
    url = rendition_url(rendition)
    response = client.get(url)
    cache_control = response.headers.get("Cache-Control", "")
    parts = {p.strip() for p in cache_control.split(",")}
    max_age = next((int(p.split("=")[1]) for p in parts if p.startswith("max-age=")), 0)
    stale = client.get(url.rsplit("/", 1)[0] + "/0-000000000000-grid.jpg")
    return {
        "url": url,
        "status": response.status_code,
        "content_type": response.headers.get("Content-Type", ""),
        "cache_control": cache_control,
        "stale_status": stale.status_code,
        "immutable_ok": response.status_code == 200
        and "immutable" in parts
        and max_age >= 31536000
        and rendition.image.checksum[:12] in url
        and stale.status_code == 404,
    }


if __name__ == "__main__":
    import sys

    if sys.argv[1] == "measure":
        print(json.dumps(measure(sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]))))
    else:
        from bench import djangoside

        args = djangoside.driver_args(("--n", {"type": int, "default": 12}))
        if args.command == "ingest":
            djangoside.write_result(args.result, ingest(args.n))
        else:
            djangoside.write_result(args.result, headers())
