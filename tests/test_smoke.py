def test_login_and_patient_list(client, auth, clinic_world):
    response = auth.login("practitioner@a.test")
    assert response.status_code == 302
    page = client.get("/patients/")
    assert page.status_code == 200
    assert "PatientA" in page.get_data(as_text=True)
    assert "PatientB" not in page.get_data(as_text=True)
