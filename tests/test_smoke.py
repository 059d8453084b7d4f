from tests import factories


def test_signed_in_member_sees_group_home(login):
    user = factories.make_user("Kadri Tamm", country="EE")
    group = factories.make_group("Digital Identity", chair=user)
    client = login(user)
    response = client.get(f"/groups/{group.slug}/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Digital Identity" in page
    assert "Estonia" in page
