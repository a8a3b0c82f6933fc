"""The demo's customer side, printed: the photo, the parcel, the contacts, the feedback.

After the e-mails have gone out (each one to the customer logged as a contact
by the notifier), this step shows what the case file of the demo's return
holds, as staff see it: the customer's photo with the type detected from its
bytes and its checksum; the shipment and what the carrier reported, with one
more poll that brings nothing new; every contact, the two calls and the
e-mails; the customer's score; and last, the return as the customer sees it
in the portal, which never shows internal comments, approvers or costs.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from crm_returns.cli.phrasebook import Phrasebook
from crm_returns.cli.tables import pairs, table, time_text
from crm_returns.cli.wiring import DemoWiring
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.errors import CrmReturnsError

__all__ = ["show_customer_side"]


def show_customer_side(
    console: Console, words: Phrasebook, wiring: DemoWiring, order: ReturnOrder
) -> None:
    """Print the case file of ``order`` and the customer's view of it."""
    service, agent = wiring.service, wiring.staff.agent
    photos = service.attachments(agent, order.id)
    shipments = service.shipments(agent, order.id)
    feedback = service.feedback(agent, order.id)
    if not photos or not shipments or feedback is None:
        raise CrmReturnsError(f"the demo expected a photo, a parcel and feedback on {order.number}")
    photo, parcel = photos[0], shipments[0]
    console.print(
        pairs(
            (
                words.word("photo"),
                words.word(
                    "photo_text",
                    filename=photo.filename,
                    content_type=photo.content_type,
                    size=photo.size,
                    digest=photo.sha256[:12],
                ),
            ),
            (
                words.word("shipment"),
                words.word(
                    "shipment_text",
                    method=words.label(parcel.method),
                    carrier=parcel.carrier,
                    tracking_number=parcel.tracking_number,
                    paid_by=words.label(parcel.paid_by),
                    status=words.label(parcel.status),
                ),
            ),
        )
    )
    console.print(_tracking_table(words, wiring, order))
    again = service.poll_tracking(wiring.staff.warehouse, order.id)
    console.print(
        words.word("tracking_polled", added=len(again.added), duplicates=len(again.duplicates))
    )
    console.print(_contacts_table(words, wiring, order))
    console.print(
        pairs(
            (
                words.word("feedback"),
                words.word("feedback_text", score=feedback.score, comment=feedback.comment),
            )
        )
    )
    console.print()
    console.rule(words.word("timeline"), align="left", style="dim")
    timeline = service.return_timeline(wiring.staff.customer, order.id)
    console.print(Text(timeline.render(words.locale)))


def _tracking_table(words: Phrasebook, wiring: DemoWiring, order: ReturnOrder) -> Table:
    made = table(
        words, words.word("tracking_table"), ("occurred", "tracking_status", "where"), 0, 1
    )
    for update in wiring.service.tracking(wiring.staff.agent, order.id):
        made.add_row(time_text(update.occurred_at), words.label(update.status), update.location)
    return made


def _contacts_table(words: Phrasebook, wiring: DemoWiring, order: ReturnOrder) -> Table:
    made = table(
        words,
        words.word("contacts_table"),
        ("time", "channel", "direction", "summary", "by"),
        0,
        1,
    )
    for contact in wiring.service.contacts(wiring.staff.agent, order.id):
        made.add_row(
            time_text(contact.at),
            words.label(contact.channel),
            words.label(contact.direction),
            contact.summary,
            contact.by_name,
        )
    return made
