"""Word lists for text that reads: product names, part descriptions, reviews, notes.

A product name is `<adjective> <material> <noun> <size>`, every word from the noun's family
("Insulated Stainless Steel Water Bottle 750 ml", never "Cotton Water Bottle 65 W").
"""

from __future__ import annotations

# family: (adjectives, materials, nouns, sizes): each fits every noun of its family
PRODUCT_FAMILIES: dict[str, tuple[tuple[str, ...], ...]] = {
    "drinkware": (
        ("Classic", "Insulated", "Everyday", "Leak-Proof", "Premium"),
        ("Stainless Steel", "Glass", "Ceramic", "BPA-Free", "Bamboo"),
        ("Water Bottle", "Travel Mug", "Tumbler", "Coffee Mug"),
        ("350 ml", "500 ml", "750 ml", "1 L"),
    ),
    "apparel": (
        ("Classic", "Relaxed-Fit", "Slim-Fit", "Everyday", "Vintage"),
        ("Cotton", "Merino Wool", "Linen", "Fleece", "Recycled Polyester"),
        ("T-Shirt", "Hoodie", "Jacket", "Sweater", "Shorts"),
        ("Size S", "Size M", "Size L", "Size XL"),
    ),
    "cookware": (
        ("Professional", "Classic", "Heavy-Duty", "Everyday", "Induction-Ready"),
        ("Cast Iron", "Non-Stick", "Stainless Steel", "Copper", "Carbon Steel"),
        ("Frying Pan", "Saucepan", "Stock Pot", "Wok", "Skillet"),
        ("20 cm", "24 cm", "28 cm", "32 cm"),
    ),
    "bedding": (
        ("Luxury", "Soft-Touch", "Hotel-Quality", "Everyday", "Organic"),
        ("Cotton", "Linen", "Bamboo", "Flannel", "Percale"),
        ("Sheet Set", "Duvet Cover", "Pillowcase Pair", "Throw Blanket"),
        ("Twin", "Full", "Queen", "King"),
    ),
    "chargers": (
        ("Fast", "Compact", "Travel", "Dual-Port", "Foldable"),
        ("USB-C", "GaN", "Wall", "Car", "Wireless"),
        ("Charger", "Power Adapter", "Charging Stand"),
        ("20 W", "30 W", "45 W", "65 W"),
    ),
    "audio": (
        ("Wireless", "Bluetooth", "Noise-Cancelling", "Waterproof", "Portable"),
        ("Over-Ear", "In-Ear", "Studio", "Sport", "Mini"),
        ("Headphones", "Earbuds", "Speaker"),
        ("Black", "White", "Navy", "Graphite"),
    ),
    "grocery": (
        ("Organic", "Fair Trade", "Premium", "Family-Size", "Single-Origin"),
        ("Roasted", "Whole Bean", "Dark Roast", "Medium Roast", "Decaf"),
        ("Coffee", "Espresso Blend", "Breakfast Blend"),
        ("250 g", "500 g", "1 kg"),
    ),
    "pantry": (
        ("Organic", "Imported", "Premium", "Cold-Pressed", "Everyday"),
        ("Extra Virgin", "Light", "Garlic-Infused", "Unfiltered"),
        ("Olive Oil", "Avocado Oil", "Sunflower Oil"),
        ("250 ml", "500 ml", "1 L"),
    ),
    "garden": (
        ("Weatherproof", "Classic", "Self-Watering", "Decorative", "Stackable"),
        ("Terracotta", "Galvanized Steel", "Resin", "Ceramic", "Cedar"),
        ("Planter", "Flower Pot", "Watering Can"),
        ("2 L", "5 L", "10 L", "20 L"),
    ),
    "bags": (
        ("Water-Resistant", "Lightweight", "Commuter", "Expandable", "Rugged"),
        ("Nylon", "Canvas", "Recycled Polyester", "Leather", "Ripstop"),
        ("Backpack", "Gym Bag", "Duffel Bag", "Messenger Bag"),
        ("20 L", "30 L", "40 L"),
    ),
}

PART_MATERIALS = (
    "Stainless steel",
    "Carbon steel",
    "Aluminum",
    "Brass",
    "Nylon",
    "PTFE",
    "Zinc-plated steel",
    "Titanium",
    "Cast iron",
    "EPDM rubber",
)
PART_NOUNS = (
    "hex bolt",
    "flange nut",
    "flat washer",
    "bearing",
    "O-ring",
    "bushing",
    "shaft coupling",
    "bracket",
    "spring",
    "dowel pin",
    "gasket",
    "hydraulic fitting",
)
PART_SIZES = (
    "M4 x 12 mm",
    "M6 x 20 mm",
    "M8 x 40 mm",
    "M10 x 50 mm",
    "12 mm bore",
    "25 mm OD",
    "1/4 in NPT",
    "3/8 in",
    "DN25",
    "50 x 30 mm",
)

REVIEW_OPENERS = (
    "Great value for the price.",
    "Works exactly as described.",
    "Arrived quickly and well packed.",
    "Better than I expected.",
    "Solid build quality.",
    "Not quite what I hoped for.",
    "Does the job.",
    "Really happy with this purchase.",
    "Decent, but a bit overpriced.",
    "Stopped working after a few weeks.",
    "Looks even better in person.",
    "Easy to set up.",
)
REVIEW_DETAILS = (
    "The size is just right",
    "Setup took about five minutes",
    "The finish feels durable",
    "Customer service answered within a day",
    "It is lighter than it looks",
    "The color matches the photos",
    "Instructions could be clearer",
    "Battery life is excellent",
    "It feels a little flimsy",
    "My whole family uses it",
    "It replaced an older model",
    "Cleaning it is easy",
)
REVIEW_CLOSERS = (
    "and I would buy it again.",
    "so four stars.",
    "and I recommend it.",
    "but shipping was slow.",
    "so I am returning it.",
    "and it was worth every penny.",
    "though the price could be lower.",
    "and it makes a great gift.",
)

NOTE_ACTIONS = (
    "Inspected",
    "Replaced",
    "Reset",
    "Cleaned",
    "Adjusted",
    "Tested",
    "Repaired",
    "Reviewed",
    "Updated",
    "Verified",
    "Tightened",
    "Recalibrated",
)
NOTE_OBJECTS = (
    "the connection",
    "the fuse",
    "the filter",
    "the seal",
    "the settings",
    "the wiring",
    "the sensor",
    "the account details",
    "the breaker",
    "the valve",
    "the firmware",
    "the paperwork",
)
NOTE_OUTCOMES = (  # each follows the object directly: a space or a semicolon first
    " and confirmed normal operation.",
    "; follow-up scheduled for next week.",
    "; no further issues found.",
    " and notified the customer.",
    "; waiting on parts.",
    "; escalated to the supervisor.",
    " and closed the ticket.",
    "; monitoring for 24 hours.",
)
