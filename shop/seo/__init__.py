"""What search engines and messengers read: canonical and alternate URLs, share images, structured data, sitemap."""
