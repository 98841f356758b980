"""Scale-out on real parts: several app servers, one database, one bucket, a balancer and a worker."""
