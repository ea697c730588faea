"""光影 guangying: a platform for short-video calls for entries (视频作品征集展播)."""

__version__ = "0.1.0"
