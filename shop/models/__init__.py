"""The shop's models, one module per aggregate."""
from .audit import AuditEntry
from .cache import CacheGeneration
from .cart import Cart, CartLine
from .catalog import Category, Product, ProductImage, StockNotice
from .common import LOCALES
from .content import InfoPage, InfoPageVersion, ShopDetails
from .course import Attendance, Cohort, CohortSession, Course, Enrolment, WaitlistEntry
from .inventory import Hold, StockMovement
from .note import StaffNote
from .order import Order, OrderEvent, OrderLine
from .outbox import OutboxMessage
from .payment import FiscalReceipt, Payment, ProcessedEvent, Refund, RefundLine
from .promo import PromoCode, PromoRedemption
from .search import SearchSynonym
from .user import User

__all__ = [
    "AuditEntry", "Attendance", "CacheGeneration", "Cart", "CartLine", "Category", "Cohort", "CohortSession", "Course",
    "Enrolment", "FiscalReceipt", "Hold", "InfoPage", "InfoPageVersion", "LOCALES", "Order", "OrderEvent", "OrderLine",
    "OutboxMessage", "Payment", "ProcessedEvent", "Product", "ProductImage", "PromoCode", "PromoRedemption",
    "Refund", "RefundLine", "SearchSynonym", "ShopDetails", "StaffNote", "StockMovement", "StockNotice", "User",
    "WaitlistEntry",
]
