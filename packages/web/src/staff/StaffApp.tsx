/** Staff portal (clinicians, receptionists, facility admins, health-department officers). */
export function StaffApp() {
  return (
    <>
      <header className="topbar">
        <span className="brand">Cổng nhân viên y tế</span>
      </header>
      <main id="main">
        <h1>Cổng nhân viên y tế</h1>
        <p>Đăng nhập dành cho nhân viên cơ sở y tế và cán bộ quản lý y tế.</p>
      </main>
    </>
  );
}
