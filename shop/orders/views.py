"""An order's page, for its owner or whoever holds the signed link."""
from flask import Blueprint, abort, render_template, request, session
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Order, Payment, Refund
from .links import token_opens
from .receipts import receipts_of

bp = Blueprint("orders", __name__, url_prefix="/orders")


def _may_view(order: Order) -> bool:
    if current_user.is_authenticated and (order.user_id == current_user.id or current_user.is_staff):
        return True
    return order.public_id in session.get("orders", []) or token_opens(request.args.get("token"), order.public_id)


@bp.get("/<public_id>")
def detail(public_id: str):
    order = db.session.scalar(
        select(Order).where(Order.public_id == public_id[:32])
        .options(selectinload(Order.lines), selectinload(Order.events))
    )
    if order is None or not _may_view(order):
        abort(404)
    refunds = db.session.scalars(select(Refund).where(Refund.order_id == order.id)).all()
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id)
                                .order_by(Payment.id.desc()).limit(1))
    return render_template("orders/detail.html", order=order, refunds=refunds, payment=payment,
                           receipts=receipts_of(order.id))
