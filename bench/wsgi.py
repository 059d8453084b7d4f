"""What the benchmark's gunicorn serves: collab, and beside it the ceiling's static
file under /__bench__/, served by a minimal WSGI app (werkzeug's SharedDataMiddleware)
in the same worker processes, without going through Flask."""

import os

from werkzeug.middleware.shared_data import SharedDataMiddleware

from wsgi import app

application = SharedDataMiddleware(
    app, {"/__bench__": os.environ["BENCH_STATIC_DIR"]}, cache=False
)
