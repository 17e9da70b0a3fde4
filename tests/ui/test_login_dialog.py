"""The sign-in dialog against a real server: a wrong password is a sentence, the right one
signs in and closes the dialog, the kiosk button signs in a guest."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog

from boxoffice.ui.dialogs.login import LoginDialog
from tests.helpers import factories as f
from tests.helpers.counter import close_counter, make_counter, wait_until


def test_staff_and_kiosk_sign_in(qloop, demo_server, tmp_path):
    async def scenario():
        counter = await make_counter(demo_server.base_url, tmp_path / "app")
        try:
            dialog = LoginDialog(counter.session, last_user="clerk", parent=counter.window)
            dialog.open()
            dialog.password.setText("not the password")
            dialog.sign_in_button.click()
            await wait_until(lambda: dialog.problem.text() != "")
            wrong = dialog.problem.text()
            dialog.password.setText(f.PASSWORD)
            dialog.sign_in_button.click()
            await wait_until(lambda: dialog.result() == QDialog.DialogCode.Accepted)
            staff = counter.session.display_name, dialog.password.text()

            counter.session.sign_out()
            kiosk = LoginDialog(counter.session, parent=counter.window)
            kiosk.open()
            kiosk.guest_button.click()
            await wait_until(lambda: kiosk.result() == QDialog.DialogCode.Accepted)
            return wrong, staff, counter.session.display_name, kiosk.counter_button.isVisible()
        finally:
            await close_counter(counter)

    wrong, staff, guest, training_button = qloop.run(scenario())
    assert wrong == "Wrong user name or password."
    assert staff == ("clerk", "")  # signed in; the password field is emptied
    assert guest == "Kiosk (guest)"
    assert training_button is False  # only the embedded server has a counter account
