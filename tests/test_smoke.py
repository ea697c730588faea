def test_home_page_lists_published_campaigns(client, hubei, chongqing):
    response = client.get("/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "微光映同心" in text
    assert "红色光影" in text
