"""The mailer's side of email: each request composed and sent once; bounces and complaints."""
