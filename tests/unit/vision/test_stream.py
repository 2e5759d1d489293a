"""A real network stream: a camera serving MJPEG over HTTP that drops the connection mid-way."""

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import numpy as np
import pytest
from tests.unit.vision.synthetic import Scene

from platewarden.vision import Recognizer
from platewarden.vision.video import VideoStats, frames, read_video

FRAMES_PER_CONNECTION = 6


def _moving_plate(scene: Scene, count: int) -> list[bytes]:
    x, y, w, h = scene.box
    plate = scene.image[y : y + h, x : x + w]
    jpegs = []
    for i in range(count):
        frame = np.full((480, 800, 3), 90, np.uint8)
        frame[150 : 150 + h, 100 + 40 * i : 100 + 40 * i + w] = plate
        jpegs.append(cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes())
    return jpegs


@pytest.fixture
def camera(scenes: list) -> Iterator[tuple[str, Scene, list[int]]]:
    """Serve a plate passing by as multipart JPEG; each connection ends after a few frames.

    The first two connections get frames; later ones are refused with 503, as a camera that
    went away. Yields the stream's URL, the scene and the list of connection counts.
    """
    scene = scenes[3]
    jpegs = _moving_plate(scene, 2 * FRAMES_PER_CONNECTION)
    connections: list[int] = []

    class Camera(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            n = len(connections)
            connections.append(n)
            if n >= 2:
                self.send_error(503)
                return
            self.send_response(200)
            self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
            self.end_headers()
            part = jpegs[n * FRAMES_PER_CONNECTION : (n + 1) * FRAMES_PER_CONNECTION]
            for jpeg in part:
                head = f"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n"
                self.wfile.write(head.encode() + jpeg + b"\r\n")
                time.sleep(0.02)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Camera)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/cam.mjpg", scene, connections
    server.shutdown()
    server.server_close()


def test_stream_that_drops_is_reopened_and_every_frame_read(
    camera: tuple[str, Scene, list[int]],
) -> None:
    url, _, connections = camera
    stats, waits = VideoStats(), []
    got = list(frames(url, stats, realtime=False, retries=3, sleep=waits.append))
    assert len(got) == 2 * FRAMES_PER_CONNECTION
    assert stats.reconnects >= 1
    # One wait before the good reconnection; then, refused, longer waits until retries run out.
    assert waits == [1.0, 1.0, 2.0, 4.0]
    assert len(connections) == 5
    assert stats.gave_up  # so a capture of it exits non-zero and a service manager restarts it


def test_plate_is_read_from_a_live_stream(
    camera: tuple[str, Scene, list[int]], recognizer: Recognizer
) -> None:
    url, scene, _ = camera
    stats = VideoStats()
    passes = list(read_video(url, recognizer, stats, realtime=False, sleep=lambda _: None))
    assert [p.text for p in passes] == [scene.text]
    assert passes[0].reads >= FRAMES_PER_CONNECTION
