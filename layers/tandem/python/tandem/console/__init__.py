"""The program leads' console: who is signed in and in which role, the audit trail of what they
do, and the read models of its pages (the overview, a person, the files for HR). The actions
themselves are the other contexts' use cases: the console is another door to them."""
