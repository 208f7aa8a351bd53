"""quiet_sql_errors() drops odoo.sql_db's records of the thread inside it, and only of that thread, however
threads of a threaded server go in and out (Odoo's mute_logger, shared by all threads, leaves the logger
muted for good when two threads interleave)."""

import logging
import threading

from odoo.tests import BaseCase, tagged

from ..models.odoo_retry import quiet_sql_errors


@tagged("post_install", "-at_install")
class TestQuietSqlErrors(BaseCase):
    def test_threads_going_in_and_out_quiet_only_themselves(self):
        logger = logging.getLogger("odoo.sql_db")
        first_in, second_in, first_out, main_spoke = (threading.Event() for _ in range(4))

        def first():
            with quiet_sql_errors():
                first_in.set()
                second_in.wait(10)
                logger.error("first, inside")
            first_out.set()

        def second():
            first_in.wait(10)
            with quiet_sql_errors():
                second_in.set()
                first_out.wait(10)  # the first thread left before this one: mute_logger's bad case
                main_spoke.wait(10)
                logger.error("second, inside")

        with self.assertLogs("odoo.sql_db", "ERROR") as logs:
            threads = [threading.Thread(target=first), threading.Thread(target=second)]
            for thread in threads:
                thread.start()
            second_in.wait(10)
            logger.error("main, while both are inside")
            main_spoke.set()
            for thread in threads:
                thread.join(10)
            logger.error("main, after both")
            with quiet_sql_errors():
                logger.error("main, inside")
            logger.error("main, last")
        self.assertEqual(
            [record.getMessage() for record in logs.records],
            ["main, while both are inside", "main, after both", "main, last"],
        )
