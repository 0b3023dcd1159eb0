"""Pictures in object storage: staff uploads go to an S3-compatible bucket (moto's server standing in for it),
the shop links them on the media host, the page's CSP allows that host, and removing a picture deletes it."""
import io
import socket

import boto3
import pytest
from moto.server import ThreadedMotoServer
from PIL import Image
from sqlalchemy import select

from shop import create_app
from shop.config import ConfigError
from shop.extensions import db
from shop.models import ProductImage
from tests.conftest import TEST_ENV, english_client, login, running
from tests.factories import make_product, make_user

MEDIA = "https://media.cityfarm.test"
BUCKET = "cityfarm-media"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint):
    client = boto3.client("s3", endpoint_url=s3_endpoint, aws_access_key_id="test", aws_secret_access_key="test",
                          region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


@pytest.fixture
def s3_app(app_factory, s3_endpoint, bucket, request):
    env = {"MEDIA_STORAGE": "s3", "S3_BUCKET": BUCKET, "S3_ENDPOINT_URL": s3_endpoint, "S3_ACCESS_KEY_ID": "test",
           "S3_SECRET_ACCESS_KEY": "test", "MEDIA_BASE_URL": MEDIA}
    with running(app_factory(env=env), request) as app:
        yield app


def _picture() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1200), (60, 140, 70)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_an_uploaded_picture_goes_to_the_bucket_and_the_shop_links_it_on_the_media_host(s3_app, bucket):
    client = english_client(s3_app)
    login(client, make_user(role="staff"))
    product = make_product(stock=3)
    response = client.post(f"/admin/products/{product.id}/images", content_type="multipart/form-data",
                           data={"image-image": (io.BytesIO(_picture()), "photo.jpg")})
    assert response.status_code == 303
    image = db.session.scalar(select(ProductImage))
    stored = bucket.get_object(Bucket=BUCKET, Key=image.path)
    assert stored["ContentType"] == "image/webp" and "immutable" in stored["CacheControl"]
    assert Image.open(io.BytesIO(stored["Body"].read())).size == (1200, 900)
    page = client.get(f"/products/{product.slug}")
    assert f'src="{MEDIA}/{image.path}"' in page.get_data(as_text=True)
    assert f"img-src 'self' data: {MEDIA};" in page.headers["Content-Security-Policy"]


def test_removing_a_picture_deletes_it_from_the_bucket(s3_app, bucket):
    client = english_client(s3_app)
    login(client, make_user(role="staff"))
    product = make_product(stock=3)
    client.post(f"/admin/products/{product.id}/images", content_type="multipart/form-data",
                data={"image-image": (io.BytesIO(_picture()), "photo.jpg")})
    image = db.session.scalar(select(ProductImage))
    assert client.post(f"/admin/images/{image.id}/delete", data={"confirm": "1"}).status_code == 303
    assert bucket.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


def test_a_shop_keeping_pictures_locally_allows_no_other_image_host(client):
    assert "img-src 'self' data:;" in client.get("/").headers["Content-Security-Policy"]


def test_object_storage_without_a_bucket_or_public_address_refuses_to_start():
    with pytest.raises(ConfigError, match="S3_BUCKET.*MEDIA_BASE_URL"):
        create_app(env={**TEST_ENV, "MEDIA_STORAGE": "s3"})
