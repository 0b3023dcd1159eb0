"""The information pages (offer, privacy, delivery and payment, returns, contacts), the shop's own details,
and the consent a buyer or a new account gives to the offer and the privacy policy."""
