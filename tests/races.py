"""Run one worker in many threads at once, each in its own app context (its own database connection)."""
import threading
from concurrent.futures import ThreadPoolExecutor

from shop.errors import ShopError
from shop.extensions import db


def run_at_once(app, worker, count: int) -> list:
    """Start ``worker(index)`` in ``count`` threads released together; a ShopError comes back as a result."""
    barrier = threading.Barrier(count)

    def run(index):
        with app.app_context():
            barrier.wait()
            try:
                return worker(index)
            except ShopError as error:
                return error
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))
