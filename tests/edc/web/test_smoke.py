def test_home_page_for_investigator(trial, login):
    c = login("inv_a")
    r = c.get("/")
    assert r.status_code == 200
    r = c.get("/patients/A-01/")
    assert r.status_code == 200, r.content[:2000]
