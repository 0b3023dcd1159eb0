"""Where uploaded pictures live: the instance folder by default, or an S3-compatible bucket."""
