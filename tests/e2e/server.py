"""The real app for the browser tests, run as its own process.

``python -m tests.e2e.server DB_URL PORT_FILE [PORT]`` migrates an empty database
with Alembic, loads the demo data, then serves on 127.0.0.1 on PORT (by default a free
port) which it writes to PORT_FILE. A process of its own keeps Alembic's logging setup
and the app's state away from the unit tests' app in the pytest process. A fixed PORT
lets the tests register the app's address (BASE_URL) at the OpenID provider first.
"""

import os
import sys

os.environ["COLLAB_CONFIG"] = "testing"

from flask_migrate import upgrade
from werkzeug.serving import make_server

from collab import create_app
from collab.demo import data
from collab.extensions import db


def main(database_url: str, port_file: str, port: int = 0) -> None:
    app = create_app({"DATABASE_URL": database_url})
    with app.app_context():
        upgrade()
        data.load()
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", port, app, threaded=True)
    # Write then rename, so the reader never sees a half-written file.
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_port))
    os.replace(port_file + ".tmp", port_file)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 0)
