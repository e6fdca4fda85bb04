"""ccwh: contact-centre reporting warehouse."""

__version__ = "0.1.0"
