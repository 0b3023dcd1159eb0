"""Staff accounts: only administrators give or take staff roles, and nobody changes their own."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.services import find_user
from ..audit import record
from ..database import unit_of_work
from ..errors import NotFound, ShopError
from ..extensions import db
from ..models import User
from ..models.user import ROLES


class NotAllowed(ShopError):
    field = "email"
    message = _l("Only an administrator can change staff roles.")


class OwnRole(ShopError):
    field = "email"
    message = _l("You cannot change your own role; ask another administrator.")


def staff_members() -> list[User]:
    """Return the staff and administrators, administrators first."""
    return list(db.session.scalars(select(User).where(User.role.in_(("staff", "admin")))
                                   .order_by(User.role, User.email)))


def _checked(email: str, role: str, actor: User) -> tuple[User, User]:
    if role not in ROLES:
        raise ShopError(_l("Unknown role."))
    current = db.session.get(User, actor.id)
    if current is None or not current.is_admin or not current.is_active:
        raise NotAllowed()
    user = find_user(email)
    if user is None:
        raise NotFound(_l("No account has this e-mail. Ask them to register first."))
    if user.id == current.id:
        raise OwnRole()
    return current, user


def role_change(email: str, role: str, *, actor: User) -> User:
    """Return whose role would change (for the confirmation step), refusing as `set_role` would; changes nothing."""
    return _checked(email, role, actor)[1]


def set_role(email: str, role: str, *, actor: User, now: datetime) -> User:
    """Give an existing account a role; refuse unless ``actor`` is an administrator changing someone else."""
    with unit_of_work():
        current, user = _checked(email, role, actor)
        old = user.role
        user.role = role
        record(current.id, "staff.role", f"user:{user.id}", now=now, email=user.email, role=[old, role])
    return user
